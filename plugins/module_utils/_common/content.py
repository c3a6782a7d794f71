# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A file's text and bytes, and their digest, the same way on the host and on the controller.

Texts are decoded with surrogateescape so that writing them back gives the same bytes (CRLF and all);
the controller digests a rendered text exactly as the host digests the file it read. Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib


def digest(data):
    """SHA-1 of a file's bytes (None for a missing file): what the plan saw, checked again before writing."""
    return None if data is None else hashlib.sha1(data).hexdigest()


def decode(data):
    return None if data is None else data.decode('utf-8', 'surrogateescape')


def text_bytes(content):
    """The bytes the module writes for a text."""
    return content.encode('utf-8', 'surrogateescape')
