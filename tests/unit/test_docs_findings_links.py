"""Finding ids named in the prose docs exist, so a renamed finding cannot leave a dead reference."""
import os
import re

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.findings import FINDING_IDS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROSE = ('docs/limits.md', 'docs/troubleshooting.md', 'docs/role.md', 'README.md')
# "finding `x`", "findings `x`, `y` and `z`" (the ids follow the word, each in backticks)
MENTION = re.compile(r'findings?\s+((?:`[a-z0-9_]+`(?:,\s*|\s+and\s+|\s+or\s+)?)+)')


def mentioned_ids():
    found = {}
    for rel in PROSE:
        path = os.path.join(ROOT, rel)
        if not os.path.exists(path):
            continue
        with open(path) as handle:
            text = ' '.join(handle.read().split())
        for match in MENTION.finditer(text):
            for fid in re.findall(r'`([a-z0-9_]+)`', match.group(1)):
                found.setdefault(fid, rel)
    return found


def test_docs_name_findings_at_all():
    assert len(mentioned_ids()) >= 5


def test_every_finding_named_in_the_docs_exists():
    unknown = dict((fid, rel) for fid, rel in mentioned_ids().items() if fid not in FINDING_IDS)
    assert not unknown, 'docs name findings the module does not have: %s' % unknown
