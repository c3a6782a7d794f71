#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# DOCUMENTATION, EXAMPLES and RETURN: tcp_limits_facts.yml next to this file (the facts reference, some 650 lines).

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.persistence import systemd_version_asking


def main():
    module = AnsibleModule(
        argument_spec=dict(
            connections=dict(type='bool', default=False),
            port_range=dict(type='list', elements='int'),
            services=dict(type='bool', default=True),
            services_budget=dict(type='float', default=0.3),
        ),
        supports_check_mode=True,
    )
    port_range = module.params['port_range']
    if port_range is not None:
        if not module.params['connections']:
            module.fail_json(msg='port_range needs connections=true')
        if len(port_range) != 2 or not 0 <= port_range[0] <= port_range[1] <= 65535:
            module.fail_json(msg='port_range must be [low, high] with 0 <= low <= high <= 65535')
    if not 0 < module.params['services_budget'] <= 60:
        module.fail_json(msg='services_budget must be a number of seconds above 0 and at most 60')
    facts = gather('/', connections=module.params['connections'], port_range=port_range,
                   systemd_version=systemd_version_asking('/', module.get_bin_path, module.run_command),
                   services=module.params['services'], services_budget=module.params['services_budget'])
    module.exit_json(changed=False, ansible_facts={'tcp_limits': facts})


if __name__ == '__main__':
    main()
