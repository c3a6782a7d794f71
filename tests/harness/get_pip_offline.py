"""Stand-in for pip's get-pip.py bootstrap script, for ansible-test.

ansible-test bootstraps pip into each sanity venv by downloading get-pip.py
from a host this machine cannot reach. It runs the script as
`python get_pip_X_Y.py [pip install options] pip==X.Y ...`; this does the
same with what is here: ensurepip from the standard library, then pip itself
installs the requested packages from the configured package index.
"""
import subprocess
import sys

ignored = {'--no-setuptools', '--no-wheel'}
args = [arg for arg in sys.argv[1:] if arg not in ignored]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet'] + args)
