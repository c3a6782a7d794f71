# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""systemd .link files (systemd.link(5)): one section's settings, the host's 99-default.link [Link]
settings that the role's own .link must repeat (only the first matching .link file applies). Pure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def parse_link_section(text, section='Link'):
    """[(key, value)] of one section of a systemd .link file."""
    items, current = [], None
    for line in (text or '').splitlines():
        line = line.strip()
        if not line or line[0] in '#;':
            continue
        if line.startswith('[') and line.endswith(']'):
            current = line[1:-1]
            continue
        if current == section and '=' in line:
            key, value = line.split('=', 1)
            items.append((key.strip(), value.strip()))
    return items


# What Debian's 99-default.link says (systemd 247..257) when the host's cannot be read.
DEFAULT_LINK = """[Match]
OriginalName=*

[Link]
NamePolicy=keep kernel database onboard slot path
AlternativeNamesPolicy=database onboard slot path
MACAddressPolicy=persistent
"""


def link_settings(default_link_text):
    """[(key, value)] of the host's 99-default.link [Link] section, without TransmitQueueLength.

    Only the first matching .link applies, so ours (txqueuelen.link.j2) repeats these settings.
    """
    return [[k, v] for k, v in parse_link_section(default_link_text or DEFAULT_LINK) if k != 'TransmitQueueLength']
