#!/usr/bin/env python
"""Render the "Facts gathering (make bench-facts)" section of docs/performance.md.

Usage: report.py docs/bench/facts.json docs/performance.md

Other sections of docs/performance.md belong to other benchmarks: the file is
read again right before it is written and only this section is replaced
(or appended when it is not there yet). A missing file is created with the
top heading "# Performance". Standard library only.
"""

from __future__ import annotations

import json
import os
import sys

HEADING = '## Facts gathering (make bench-facts)'
TARGET_MS = 150.0


def loaded(start, end):
    """Whether other work shared the machine: a 1-minute load average above half its cores."""
    return max(start['loadavg_1_5_15'][0], end['loadavg_1_5_15'][0]) > start['cpus'] / 2.0


def load_text(start, end):
    figures = 'load average (1 min) %.1f at the start and %.1f at the end, on %d cores' % (
        start['loadavg_1_5_15'][0], end['loadavg_1_5_15'][0], start['cpus'])
    if not loaded(start, end):
        return ('- Load: a quiet machine, %s. CPU time (user + system of the process that reads, from'
                ' `time.process_time()` or `getrusage`) is what the host pays.' % figures)
    return ('- Load: the machine ran other jobs (other benchmarks, molecule) meanwhile; %s. Wall-clock times'
            ' are therefore upper bounds with a wide spread; CPU time (user + system of the process that'
            ' reads, from `time.process_time()` or `getrusage`) is what the host pays and moves much less'
            ' with the load, so it is the figure to quote.' % figures)


def fmt_ms(value):
    return '%.1f' % value if value >= 10 else '%.2f' % value


def num(value):
    return '{:,}'.format(value)


def row(what, sockets, stats):
    return '| %s | %s | %d | %s | %s | %s |' % (
        what, num(sockets), stats['runs'], fmt_ms(stats['median_ms']), fmt_ms(stats['p95_ms']),
        fmt_ms(stats['cpu_median_ms']))


def startup_text(data):
    start = data.get('python_start')
    basic = data.get('python_import_module_utils_basic')
    if not start or not basic:
        return ''
    return (' Of it, starting Python alone takes %s ms of CPU (median; %s ms wall) and starting it and'
            ' importing `ansible.module_utils.basic` %s ms of CPU (%s ms wall): the module\'s own reading'
            ' is the few ms of the first rows.' % (
                fmt_ms(start['cpu_median_ms']), fmt_ms(start['median_ms']),
                fmt_ms(basic['cpu_median_ms']), fmt_ms(basic['median_ms'])))


def services_text(data):
    """The module's default includes the services view, which gather('/') here leaves out."""
    low, high = data.get('module_process_0_sockets'), data.get('module_process_max_sockets')
    if not (low and high):
        return ''
    return (' The module\'s defaults include the services view (`services: true`), which the `gather(\'/\')`'
            ' rows leave out: the module process costs %s ms of CPU more with %s sockets than with none,'
            ' mostly the kernel\'s dump of the established sockets (inet_diag) and the walk to each listener\'s'
            ' owner (see make bench-services below).' % (
                fmt_ms(high['cpu_median_ms'] - low['cpu_median_ms']), num(high.get('sockets', 0))))


def section(data):
    start, end = data['machine_start'], data['machine_end']
    levels = sorted(data['levels'], key=lambda entry: entry['sockets_requested'])
    top, zero = levels[-1], levels[0]
    default0 = data['default_gather_0_sockets']
    default_max = data.get('default_gather_max_sockets')
    ehash = data['tcp_max_tw_buckets'] * 2 if data.get('tcp_max_tw_buckets') else None
    worst_default = max(default0['p95_ms'], default_max['p95_ms'] if default_max else 0)
    holders = max(entry['holders'] for entry in levels)
    zero_read = zero.get('read_proc_net_tcp_tcp6')

    lines = [
        HEADING,
        '',
        'How long `netlimits.tcp.tcp_limits_facts` takes on the managed host, and how the cost of',
        '`connections: true` grows with the number of TCP sockets.',
        '',
        '- Command: `make bench-facts` (`bench/facts/run.sh`, which runs `bench/facts/bench.py`);'
        ' raw numbers in `docs/bench/facts.json`.',
        '- Date: %s; the run took %s s.' % (data['date'], data['seconds']),
        '- Machine: %d cores, %.0f GiB RAM, kernel %s, Python %s, ansible-core %s.' % (
            start['cpus'], start['mem_total_kib'] / 1048576.0, start['kernel'], start['python'],
            start['ansible_core']),
        load_text(start, end),
        '- Where: a network namespace of its own (`netlimits-bench-facts`, removed on exit) with only `lo`;'
        ' every socket is one end of a connected pair on its 127.0.0.1. `/proc/net/sockstat` and'
        ' `/proc/net/tcp` are per network namespace, so the timer runs inside it too (`ip netns exec`).',
        '- Sockets: the hard `nofile` limit here is %s per process and cannot be raised without'
        ' CAP_SYS_RESOURCE, so up to %d holder processes hold at most %s pairs (%s sockets) each.'
        ' Each level is opened from scratch and closed with a reset (SO_LINGER 0), so no TIME_WAIT'
        ' sockets carry over to the next level. Opening %s sockets took %.1f s.' % (
            num(start['nofile_soft_hard'][1]), holders, num(data['pairs_per_holder']),
            num(2 * data['pairs_per_holder']), num(top['sockets_requested']), top['setup_seconds']),
        '',
        '### Default options and the module process',
        '',
        '| what | sockets open | runs | median ms (wall) | p95 ms (wall) | median ms (CPU) |',
        '|---|---:|---:|---:|---:|---:|',
        row('`gather(\'/\')`, default options', 0, default0),
    ]
    if default_max:
        lines.append(row('`gather(\'/\')`, default options', default_max['sockets'], default_max))
    for key, what in (('module_process_0_sockets', 'module process, default options'),
                      ('module_process_max_sockets', 'module process, default options'),
                      ('module_process_connections_max_sockets', 'module process, `connections: true`')):
        if key in data:
            lines.append(row(what + ' (`python -m`)', data[key].get('sockets', 0), data[key]))
    lines += [
        '',
        'The default gathering is %s the 150 ms target (worst p95 %s ms wall%s), and it does'
        ' not grow with the number of sockets: it reads `/proc/net/sockstat`, whose cost is constant.' % (
            'well under' if worst_default < TARGET_MS / 3 else ('under' if worst_default < TARGET_MS else 'OVER'),
            fmt_ms(worst_default), ', under load' if loaded(start, end) else ''),
        'The module process (`python -m ansible_collections.netlimits.tcp.plugins.modules.tcp_limits_facts'
        ' ARGS.json`: interpreter start, ansible\'s module_utils, gathering, JSON out) is what Ansible'
        ' pays on the host apart from the connection and unpacking AnsiballZ.%s%s' % (
            startup_text(data), services_text(data)),
        '',
        '### `connections: true`',
        '',
        '| sockets open | sockets scanned | runs | median ms (wall) | p95 ms (wall) | median ms (CPU)'
        ' | of it, reading /proc/net/tcp + tcp6 (CPU ms) |',
        '|---:|---:|---:|---:|---:|---:|---:|',
    ]
    for entry in levels:
        stats = entry['connections_gather']
        raw = entry.get('read_proc_net_tcp_tcp6')
        lines.append('| %s | %s | %d | %s | %s | %s | %s |' % (
            num(entry['sockets_requested']), num(entry['sockets_scanned']), stats['runs'],
            fmt_ms(stats['median_ms']), fmt_ms(stats['p95_ms']), fmt_ms(stats['cpu_median_ms']),
            fmt_ms(raw['cpu_median_ms']) if raw else 'n/a'))
    lines.append('')
    if 'connections_cpu_ms_per_10k_sockets' in data:
        lines += [
            '**Cost of `connections: true`: %.0f ms of CPU per 10,000 sockets** on top of %.0f ms with no'
            ' socket (least-squares slope and intercept of the CPU medians over the sockets scanned); in'
            ' wall-clock time on this%s machine, %.0f ms per 10,000 on top of %.0f ms.' % (
                data['connections_cpu_ms_per_10k_sockets'], data['connections_cpu_intercept_ms'],
                ' loaded' if loaded(start, end) else '',
                data['connections_wall_ms_per_10k_sockets'], data['connections_wall_intercept_ms']),
            'The last column is the kernel\'s share (reading the files without parsing them); the rest is'
            ' Python splitting the lines.',
            'With no socket open, reading both files still costs %s ms of CPU: the kernel walks its whole'
            ' established-connection hash table for `/proc/net/tcp` and again for `/proc/net/tcp6`%s.'
            ' That table is shared by every network namespace (unless `net.ipv4.tcp_child_ehash_entries`'
            ' is set) and sized from the host\'s memory at boot, so this part is paid even in an empty'
            ' namespace. Keep `connections: true` for diagnosis; `sockets.tcp` (from sockstat) gives the'
            ' totals at a constant cost.' % (
                fmt_ms(zero_read['cpu_median_ms']) if zero_read else 'n/a',
                ' (%s buckets here)' % num(ehash) if ehash else ''),
        ]
    lines.append('')
    return '\n'.join(lines)


def replace_section(text, new):
    """text with the section under HEADING replaced by new (appended when absent)."""
    lines = text.split('\n')
    start = next((i for i, line in enumerate(lines) if line.strip() == HEADING), None)
    if start is None:
        body = text.rstrip('\n')
        return (body + '\n\n' if body else '') + new.rstrip('\n') + '\n'
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith('## ') or lines[i].startswith('# ')), len(lines))
    before = '\n'.join(lines[:start]).rstrip('\n')
    after = '\n'.join(lines[end:]).lstrip('\n')
    return before + '\n\n' + new.rstrip('\n') + '\n' + ('\n' + after if after.strip() else '')


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: report.py FACTS_JSON PERFORMANCE_MD')
    with open(sys.argv[1]) as handle:
        data = json.load(handle)
    new = section(data)
    path = sys.argv[2]
    # Read as late as possible: other benchmarks write their own sections of this file.
    try:
        with open(path) as handle:
            text = handle.read()
    except FileNotFoundError:
        text = '# Performance\n'
    updated = replace_section(text, new)
    with open(path + '.facts.tmp', 'w') as handle:
        handle.write(updated)
    os.replace(path + '.facts.tmp', path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
