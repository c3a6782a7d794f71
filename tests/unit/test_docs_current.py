"""The generated reference pages match their sources (hacking/gen_docs.py)."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_generated_docs_are_current():
    result = subprocess.run([sys.executable, os.path.join(ROOT, 'hacking', 'gen_docs.py'), '--check'],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert result.returncode == 0, result.stdout
