"""TcpExt counters of the calling process's network namespace, from /proc/net/netstat.

Shared by storm.py and acceptq_server.py, which run as `python3 /bench/NAME.py`
inside the benchmark's containers (this directory is mounted at /bench and is
first on their import path). Standard library only.
"""


def tcpext():
    """{counter name: int} of the TcpExt lines; {} when the file has none."""
    with open('/proc/net/netstat') as f:
        lines = f.read().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith('TcpExt:'):
            return dict(zip(names.split()[1:], (int(v) for v in values.split()[1:])))
    return {}
