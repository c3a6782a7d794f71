# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test harness only: the molecule podman driver's connection, made cheaper.

molecule's podman driver sets ``ansible_connection: podman`` (containers.podman.podman).
That plugin starts ``podman`` four times for every task: mount, then exec for the
temporary directory, chmod and the module. On two cores that CPU is most of a
scenario's time. This plugin, found first because tests/harness/molecule-run.sh puts
its directory on ANSIBLE_CONNECTION_PLUGINS, runs commands with ``runc exec`` (what
``podman exec`` ends up doing, without podman's start-up) and allows pipelining, so a
module is one ``runc exec`` with the module on stdin. Files still go through
containers.podman's mount. Anything it cannot do (another user, no runc state for the
container) goes to containers.podman unchanged.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: podman
short_description: containers.podman.podman with commands run by runc exec, pipelining allowed (netlimits.tcp tests)
description:
  - Test harness of netlimits.tcp only, not part of the collection.
options:
  remote_addr:
    description: The container's name.
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
  remote_user:
    description: User in the container; set, it leaves everything to containers.podman.
    vars:
      - name: ansible_user
  podman_executable:
    description: The podman binary.
    default: podman
    vars:
      - name: ansible_podman_executable
    env:
      - name: ANSIBLE_PODMAN_EXECUTABLE
  podman_extra_args:
    description: Extra arguments to podman.
    default: ''
    vars:
      - name: ansible_podman_extra_args
    env:
      - name: ANSIBLE_PODMAN_EXTRA_ARGS
"""

import os
import subprocess

from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.connection import ConnectionBase
from ansible_collections.containers.podman.plugins.connection.podman import Connection as PodmanConnection

# Where podman (rootful) keeps runc's container state.
RUNC_ROOT = '/run/runc'
PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'


class Connection(PodmanConnection):
    has_pipelining = True

    def _connect(self):
        # containers.podman mounts the container here; only files need the mount, so put_file
        # and fetch_file do it when they are called.
        ConnectionBase._connect(self)
        self._connected = True
        return self

    def _mount(self):
        if self._mount_point is None:
            PodmanConnection._connect(self)

    def _runc_id(self):
        """The container's full id if runc has state for it, else None (a podman call, cached on disk)."""
        cache_dir = os.environ.get('MOLECULE_EPHEMERAL_DIRECTORY')
        cache = os.path.join(cache_dir, 'runc-ids', self._container_id) if cache_dir else None
        if cache and os.path.isfile(cache):
            with open(cache) as handle:
                full_id = handle.read().strip()
            if full_id and os.path.isdir(os.path.join(RUNC_ROOT, full_id)):
                return full_id
        rc, out, dummy = self._podman(['inspect', '--format', '{{.Id}}'])
        full_id = to_text(out).strip()
        if rc != 0 or not full_id or not os.path.isdir(os.path.join(RUNC_ROOT, full_id)):
            return None
        if cache:
            os.makedirs(os.path.dirname(cache), exist_ok=True)
            with open(cache + '.tmp', 'w') as handle:
                handle.write(full_id)
            os.rename(cache + '.tmp', cache)
        return full_id

    def exec_command(self, cmd, in_data=None, sudoable=False):
        full_id = None if self.user else self._runc_id()
        if full_id is None:
            self._mount()
            return super(Connection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)
        ConnectionBase.exec_command(self, cmd, in_data=in_data, sudoable=sudoable)
        # podman exec would add HOME; the image's PATH is podman's default one. A pipelined module
        # unpacks itself in TMPDIR: not /tmp, which systemd-tmpfiles empties while the container
        # boots (the first task waits for that boot).
        argv = [b'runc', b'--root', to_bytes(RUNC_ROOT), b'exec', b'--env', b'HOME=/root', b'--env', to_bytes(PATH),
                b'--env', b'TMPDIR=/var/tmp', to_bytes(full_id), b'/bin/sh', b'-c', to_bytes(cmd, errors='surrogate_or_strict')]
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate(input=in_data)
        return proc.returncode, out, err

    def put_file(self, in_path, out_path):
        self._mount()
        super(Connection, self).put_file(in_path, out_path)

    def fetch_file(self, in_path, out_path):
        self._mount()
        super(Connection, self).fetch_file(in_path, out_path)
