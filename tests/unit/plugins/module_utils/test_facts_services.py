# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The services view: listeners over inet_diag (live, read back from this kernel), the /proc fallback over
fixture trees, the bounded owner walk, and the findings."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import resource
import socket
import struct
import subprocess
import sys
import time

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._facts import inet_diag
from ansible_collections.netlimits.tcp.plugins.module_utils._facts import services as services_mod
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.inet_diag import (
    DiagUnavailable, listeners_and_established,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sockets import proc_address
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.service_findings import (
    check_listeners, check_service_nofile, service_findings,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.services import (
    SOURCE_DIAG, SOURCE_PROC, proc_tables, services, unit_of,
)


def _listener(backlog=7, clients=3):
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    server.listen(backlog)
    port = server.getsockname()[1]
    conns = [socket.create_connection(('127.0.0.1', port)) for dummy in range(clients)]
    time.sleep(0.05)
    return server, port, conns


def _close(server, conns):
    for conn in conns:
        conn.close()
    server.close()


def _mine(view, port):
    return [item for item in view['listeners'] if item['port'] == port]


def test_inet_diag_reads_queue_backlog_and_owner_from_this_kernel():
    server, port, conns = _listener(backlog=7, clients=3)
    try:
        view = services('/')
        fds_now = len(os.listdir('/proc/self/fd'))
    finally:
        _close(server, conns)
    assert view['source'] == SOURCE_DIAG
    [item] = _mine(view, port)
    # listen(7) is below somaxconn, so the kernel's maximum is 7; three handshakes wait in the queue.
    assert (item['address'], item['family'], item['backlog'], item['queue'], item['established']) == \
        ('127.0.0.1', 'ipv4', 7, 3, 3)
    assert item['pids'] == [os.getpid()]
    [me] = [p for p in view['processes'] if p['pid'] == os.getpid()]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert me['nofile'] == {'soft': soft, 'hard': hard}
    assert abs(me['fds'] - fds_now) <= 2          # the listdir itself opens one
    assert me['command'] == open('/proc/self/comm').read().strip()


def test_the_backlog_is_capped_by_somaxconn_as_the_kernel_reports_it():
    with open('/proc/sys/net/core/somaxconn') as handle:
        somaxconn = int(handle.read())
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    server.listen(somaxconn + 1000)
    try:
        [item] = _mine(services('/'), server.getsockname()[1])
    finally:
        server.close()
    assert item['backlog'] == somaxconn


def test_ipv6_listeners_are_seen_too():
    if not socket.has_ipv6 or not os.path.exists('/proc/net/tcp6'):
        pytest.skip('no IPv6 on this kernel')
    server = socket.socket(socket.AF_INET6)
    try:
        server.bind(('::1', 0))
    except OSError:
        server.close()
        pytest.skip('no ::1 here')
    server.listen(5)
    try:
        [item] = _mine(services('/'), server.getsockname()[1])
    finally:
        server.close()
    assert (item['family'], item['address'], item['backlog']) == ('ipv6', '::1', 5)


def test_the_proc_fallback_when_netlink_cannot_be_asked():
    def refuse():
        raise DiagUnavailable('no NETLINK_SOCK_DIAG socket: [Errno 97] test')
    server, port, conns = _listener(backlog=9, clients=2)
    try:
        view = services('/', diag=refuse)
    finally:
        _close(server, conns)
    assert view['source'] == SOURCE_PROC
    assert 'read proc/net/tcp instead' in view['notes'][0]
    [item] = _mine(view, port)
    assert (item['queue'], item['backlog'], item['established'], item['pids']) == (2, None, 2, [os.getpid()])


def test_live_dump_agrees_with_proc_on_every_listener():
    listeners, dummy = listeners_and_established()
    from_proc, dummy = proc_tables('/', [])
    assert sorted((i['port'], i['inode']) for i in listeners) == sorted((i['port'], i['inode']) for i in from_proc)


# ---- fixture trees: the /proc fallback, the owner walk -------------------------------------------------

TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'


def _tcp_line(n, local, remote, state, rx, inode):
    return '%4d: %s %s %s 00000000:%08X 00:00000000 00000000     0        0 %d 1 0000000000000000 100 0 0 10 0\n' % (
        n, local, remote, state, rx, inode)


def _proc_tree(tmp_path, processes, listeners, established=0):
    """processes: {pid: {'fds': {fd: target}, 'ppid': n, 'comm': s, 'cgroup': s, 'soft': n, 'hard': n}}."""
    proc = tmp_path / 'proc'
    (proc / 'net').mkdir(parents=True)
    lines = [TCP_HEADER]
    for n, (port, inode, queue) in enumerate(listeners):
        lines.append(_tcp_line(n, '0100007F:%04X' % port, '00000000:0000', '0A', queue, inode))
    for n in range(established):
        lines.append(_tcp_line(100 + n, '0100007F:%04X' % listeners[0][0], '0100007F:%04X' % (40000 + n), '01', 0, 0))
    (proc / 'net' / 'tcp').write_text(''.join(lines))
    (proc / 'net' / 'tcp6').write_text(TCP_HEADER)
    for pid, spec in processes.items():
        base = proc / str(pid)
        (base / 'fd').mkdir(parents=True)
        for fd, target in spec.get('fds', {}).items():
            os.symlink(target, str(base / 'fd' / str(fd)))
        (base / 'comm').write_text(spec.get('comm', 'srv') + '\n')
        (base / 'stat').write_text('%d (%s) S %d 1 1 0 -1\n' % (pid, spec.get('comm', 'srv'), spec.get('ppid', 1)))
        (base / 'cgroup').write_text(spec.get('cgroup', '0::/system.slice/srv.service\n'))
        (base / 'status').write_text('Name:\tsrv\nUid:\t33\t33\t33\t33\n')
        (base / 'limits').write_text(
            'Limit                     Soft Limit           Hard Limit           Units\n'
            'Max open files            %d                 %d                 files\n'
            % (spec.get('soft', 1024), spec.get('hard', 524288)))
    (tmp_path / 'etc').mkdir(exist_ok=True)
    (tmp_path / 'etc' / 'passwd').write_text('root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/sh\n')
    return str(tmp_path)


def test_proc_addresses_are_host_order_words():
    assert proc_address('0100007F') == '127.0.0.1'
    assert proc_address('00000000000000000000000001000000') == '::1'


def test_fixture_owners_children_and_units(tmp_path):
    root = _proc_tree(tmp_path, {
        10: {'fds': {0: '/dev/null', 6: 'socket:[501]'}, 'comm': 'nginx'},
        11: {'fds': {3: 'socket:[501]', 4: 'socket:[900]', 5: 'socket:[901]'}, 'ppid': 10, 'comm': 'nginx'},
        12: {'fds': {3: 'socket:[777]'}, 'ppid': 10, 'comm': 'nginx'},       # a child without the listener
        20: {'fds': {1: 'socket:[502]'}, 'comm': 'app', 'cgroup': '0::/user.slice/session-3.scope\n'},
    }, [(80, 501, 0), (8080, 502, 0)], established=4)
    view = services(root)
    assert view['source'] == SOURCE_PROC and view['complete'] and view['notes'] == []
    by_port = dict((item['port'], item) for item in view['listeners'])
    assert by_port[80]['pids'] == [10, 11] and by_port[80]['established'] == 4
    assert by_port[8080]['pids'] == [20]
    procs = dict((p['pid'], p) for p in view['processes'])
    assert sorted(procs) == [10, 11, 20]
    assert (procs[10]['unit'], procs[20]['unit'], procs[11]['fds'], procs[10]['user']) == \
        ('srv.service', 'session-3.scope', 3, 'www-data')


def test_the_walk_stops_at_its_budget_and_says_so(tmp_path):
    root = _proc_tree(tmp_path, {10: {'fds': {3: 'socket:[501]'}}}, [(80, 501, 0)])
    ticks = iter(range(0, 1000))
    walk = services_mod._Walk(root, [501], 0.5, clock=lambda: next(ticks)).run()
    assert walk.out_of_time and walk.wanted == set([501])


def test_processes_that_exit_or_cannot_be_read(tmp_path, monkeypatch):
    root = _proc_tree(tmp_path, {10: {'fds': {3: 'socket:[501]'}}, 11: {}}, [(80, 501, 0), (81, 502, 0)])
    os.rmdir(os.path.join(root, 'proc', '11', 'fd'))               # exited between the two reads
    real = os.listdir

    def listdir(path):
        if path.endswith('/proc/10/fd'):
            raise OSError(13, 'Permission denied')
        return real(path)
    monkeypatch.setattr(services_mod.os, 'listdir', listdir)
    view = services(root)
    assert not view['complete']
    assert view['notes'] == ['owners: 1 process(es) whose /proc/PID/fd could not be read (not root, or hidepid)']
    assert [item['pids'] for item in view['listeners']] == [[], []]


def test_unit_of_cgroup_v1_and_v2():
    assert unit_of('0::/system.slice/nginx.service\n') == 'nginx.service'
    assert unit_of('12:pids:/\n1:name=systemd:/system.slice/ssh.service\n') == 'ssh.service'
    assert unit_of('0::/system.slice/docker-abc.scope/init.scope\n') == 'init.scope'
    assert unit_of('0::/\n') is None
    assert unit_of(None) is None


# ---- findings --------------------------------------------------------------------------------------------

def _facts(processes=(), listeners=(), somaxconn=4096, overflows=0, default=4096):
    return {'services': {'processes': list(processes), 'listeners': list(listeners)},
            'sysctl': {'net.core.somaxconn': {'value': somaxconn}},
            'kernel': {'behaviour': {'somaxconn_default': default}},
            'sockets': {'counters': {'ListenOverflows': overflows}}}


def _proc(fds, soft=1024, unit='nginx.service', pid=10):
    return {'pid': pid, 'command': 'nginx', 'unit': unit, 'nofile': {'soft': soft, 'hard': 524288}, 'fds': fds}


def _lst(port=80, queue=0, backlog=511, established=0, pids=(10,)):
    return {'port': port, 'address': '0.0.0.0', 'family': 'ipv4', 'queue': queue, 'backlog': backlog,
            'established': established, 'pids': list(pids)}


@pytest.mark.parametrize('fds,expected', [(819, []), (820, ['warning']), (972, ['warning']), (973, ['critical'])])
def test_service_nofile_near_limit_at_80_and_95_percent(fds, expected):
    found = check_service_nofile(_facts([_proc(fds)], [_lst()]))
    assert [f['severity'] for f in found if f['id'] == 'service_nofile_near_limit'] == expected
    if expected:
        assert 'nginx.service' in found[0]['message'] and 'LimitNOFILE=' in found[0]['recommendation']


def test_default_soft_limit_matters_only_when_the_service_is_busy():
    quiet = check_service_nofile(_facts([_proc(100)], [_lst(established=511)]))
    busy = check_service_nofile(_facts([_proc(600)], [_lst(established=512)]))
    raised = check_service_nofile(_facts([_proc(600, soft=65536)], [_lst(established=5000)]))
    assert quiet == [] and raised == []
    assert [f['id'] for f in busy] == ['service_nofile_default_soft']


def test_accept_queue_filling_from_half():
    assert check_listeners(_facts(listeners=[_lst(queue=255, backlog=511)])) == []
    assert [f['severity'] for f in check_listeners(_facts(listeners=[_lst(queue=256, backlog=511)]))] == ['warning']
    assert [f['severity'] for f in check_listeners(_facts(listeners=[_lst(queue=511, backlog=511)]))] == ['critical']


def test_stale_backlog_after_somaxconn_was_raised():
    stale = check_listeners(_facts(listeners=[_lst(backlog=4096)], somaxconn=65535, default=4096))
    assert [f['id'] for f in stale] == ['listen_backlog_stale']
    assert 'restart' in stale[0]['recommendation']
    assert check_listeners(_facts(listeners=[_lst(backlog=4096)], somaxconn=4096, default=4096)) == []
    assert check_listeners(_facts(listeners=[_lst(backlog=128)], somaxconn=65535, default=4096)) == []


def test_small_backlog_under_listen_overflows():
    assert check_listeners(_facts(listeners=[_lst(backlog=511)], overflows=0)) == []
    small = check_listeners(_facts(listeners=[_lst(backlog=511)], overflows=3))
    assert [f['id'] for f in small] == ['listen_backlog_small'] and 'backlog=' in small[0]['recommendation']


def test_no_services_view_no_findings():
    assert service_findings({}) == []


CHILD = r'''
import resource, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (100, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
server = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen(16)
held = [open('/dev/null') for _ in range(100 - 10)]
print(server.getsockname()[1]); sys.stdout.flush()
time.sleep(30)
'''


def test_a_real_process_at_90_percent_of_its_soft_limit_is_named():
    child = subprocess.Popen([sys.executable, '-c', CHILD], stdout=subprocess.PIPE, universal_newlines=True)
    try:
        port = int(child.stdout.readline())
        facts = {'services': services('/'), 'sysctl': {}, 'kernel': {}, 'sockets': {}}
    finally:
        child.kill()
        child.wait()
    [item] = _mine(facts['services'], port)
    assert item['pids'] == [child.pid]
    [proc] = [p for p in facts['services']['processes'] if p['pid'] == child.pid]
    assert proc['nofile']['soft'] == 100 and 90 <= proc['fds'] <= 100
    found = [f for f in check_service_nofile(facts) if f['value']['pid'] == child.pid]
    assert [f['id'] for f in found] == ['service_nofile_near_limit']
    assert found[0]['severity'] == ('critical' if proc['fds'] >= 95 else 'warning')


def test_many_descriptors_are_probed_from_zero_and_sparse_tables_still_found(tmp_path):
    fd_dir = tmp_path / 'fd'
    fd_dir.mkdir()
    numbers = list(range(0, 1500)) + [5000, 70000]          # 1502 open, two far above the rest
    for fd in numbers:
        os.symlink('socket:[%d]' % fd, str(fd_dir / str(fd)))
    assert list(services_mod._fd_numbers(str(fd_dir), len(numbers))) == numbers
    small = tmp_path / 'small'
    small.mkdir()
    for fd in (0, 1, 2, 10, 300):
        os.symlink('/dev/null', str(small / str(fd)))
    assert list(services_mod._fd_numbers(str(small), 5)) == [0, 1, 2, 10, 300]


def _busy(listener_fd, inode, total=3000, **spec):
    """A process with total descriptors: its listener at listener_fd, connections everywhere else."""
    fds = dict((fd, 'socket:[%d]' % (100000 + fd)) for fd in range(total))
    fds[listener_fd] = 'socket:[%d]' % inode
    return dict(spec, fds=fds)


def _counting_readlink(monkeypatch):
    """Count os.readlink per pid directory: what the walk reads."""
    reads = {}
    real = os.readlink

    def readlink(path, *args, **kwargs):
        pid = int(path.split(os.sep)[-3])
        reads[pid] = reads.get(pid, 0) + 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(services_mod.os, 'readlink', readlink)
    return reads


def test_a_listener_opened_late_in_a_large_table_is_found_in_the_second_pass(tmp_path, monkeypatch):
    # Two busy servers with their listeners low, a small one; a busy one whose listener was opened
    # late (fd 2500); a worker of the first, holding its parent's listener.
    root = _proc_tree(tmp_path, {
        10: _busy(3, 501), 20: _busy(4, 502), 30: {'fds': {3: 'socket:[503]'}},
        40: _busy(2500, 504), 41: _busy(3, 501, ppid=10),
    }, [(80, 501, 0), (81, 502, 0), (82, 503, 0), (83, 504, 0)])
    reads = _counting_readlink(monkeypatch)
    view = services(root)
    assert view['complete'] and view['notes'] == []
    assert dict((item['port'], item['pids']) for item in view['listeners']) == \
        {80: [10, 41], 81: [20], 82: [30], 83: [40]}
    low = services_mod.LOW_FDS
    # 504 is nowhere low: the second pass reads the rest of the large tables in pid order until it is
    # found (10 and 20 whole, 40 up to it); the worker, read low in the first pass, is then read only
    # up to its parent's listener. No descriptor is read twice.
    assert reads == {10: 3000, 20: 3000, 30: 1, 40: 2501, 41: low + 4}


def test_listeners_low_in_large_tables_cost_the_low_descriptors_only(tmp_path, monkeypatch):
    root = _proc_tree(tmp_path, {10: _busy(3, 501), 20: _busy(4, 502), 30: {'fds': {3: 'socket:[503]'}}},
                      [(80, 501, 0), (81, 502, 0), (82, 503, 0)])
    reads = _counting_readlink(monkeypatch)
    view = services(root)
    assert view['complete'] and [item['pids'] for item in view['listeners']] == [[10], [20], [30]]
    # A single pass would read all 3,000 of 10 and of 20 looking for the listeners of the others.
    assert reads == {10: services_mod.LOW_FDS, 20: services_mod.LOW_FDS, 30: 1}


def test_the_live_fd_count_is_the_kernels():
    count, error = services_mod._fd_count('/proc/self/fd', True)
    assert error is None and abs(count - len(os.listdir('/proc/self/fd'))) <= 1


def test_before_linux_6_2_the_table_size_bounds_the_probe_and_owners_are_counted_while_time_is_left(tmp_path):
    fd_dir = tmp_path / 'proc' / '7' / 'fd'
    fd_dir.mkdir(parents=True)
    for fd in range(1500):
        os.symlink('socket:[%d]' % fd, str(fd_dir / str(fd)))
    assert list(services_mod._fd_numbers(str(fd_dir), None, slots=2048)) == list(range(1500))
    (tmp_path / 'proc' / '7' / 'status').write_text('Name:\tx\nFDSize:\t2048\n')
    assert services_mod._fd_slots(str(tmp_path), 7) == 2048
    walk = services_mod._Walk(str(tmp_path), [], 10)
    walk.fds = {7: None}
    assert walk.count_fds() == 0 and walk.fds == {7: 1500}
    late = services_mod._Walk(str(tmp_path), [], -1)
    late.fds = {7: None}
    assert late.count_fds() == 1 and late.fds == {7: None}


def test_the_fast_count_agrees_with_the_message_by_message_parse():
    server, port, conns = _listener(backlog=16, clients=12)
    try:
        counted, parsed = {}, {}

        def on_message(data, offset):
            local = inet_diag.local_port_of(data, offset)
            parsed[local] = parsed.get(local, 0) + 1

        def on_buffer(data):
            return inet_diag.count_plain(data, counted)
        inet_diag.dump(1 << inet_diag.TCP_ESTABLISHED, lambda data, offset: None, on_buffer=on_buffer)
        inet_diag.dump(1 << inet_diag.TCP_ESTABLISHED, on_message)
    finally:
        _close(server, conns)
    fast = dict((p, n) for p, n in ((q, counted.get(inet_diag.raw_port(q), 0)) for q in parsed) if n)
    assert counted and fast == parsed and fast[port] == 12
    assert inet_diag.count_plain(b'\x14\x00\x00\x00\x03\x00', {}) == (False, False)   # too short: the slow path


def test_a_trailing_done_in_the_same_read_ends_the_fast_count():
    size = 124
    message = struct.pack('=IHHII', size, inet_diag.SOCK_DIAG_BY_FAMILY, 2, 1, 0) + struct.pack('=BBBB', 2, 1, 0, 0)
    message += struct.pack('>HH', 8080, 40000) + b'\0' * (size - len(message) - 4)
    done = struct.pack('=IHHIIi', 20, inet_diag.NLMSG_DONE, 2, 1, 0, 0)
    counts = {}
    assert inet_diag.count_plain(message * 3 + done, counts) == (True, True)
    assert counts == {inet_diag.raw_port(8080): 3}
    assert inet_diag.count_plain(message * 3 + done[:-2], {}) == (False, False)
