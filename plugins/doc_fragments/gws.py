# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Options of the GWS connection used by gdpr.gws.personal_data."""

    DOCUMENTATION = r'''
options:
  gws_url:
    description:
      - Base URL of GWS, for example C(https://gws.example.com:8443). Required unless in check mode.
    type: str
    aliases: [gws]
  gws_username:
    description: GWS user with administrator rights; it sends the deletes.
    type: str
  gws_password:
    description: Password of O(gws_username).
    type: str
    aliases: [gws_user_password]
  gws_headers:
    description:
      - Extra HTTP headers for every GWS request, as a mapping or as the original script's JSON string.
      - The CSRF header and token are fetched automatically; they need not be given here.
    type: raw
    aliases: [gws_additional_headers]
  validate_certs:
    description: Check the TLS certificate of GWS. Turn off only in a lab.
    type: bool
    default: true
  ca_path:
    description: PEM file of the CA that signed the GWS certificate.
    type: path
  gws_timeout:
    description: Seconds to wait for one GWS response.
    type: int
    default: 30
  gws_retries:
    description: Retries of one GWS request after a connection error, HTTP 429 or 5xx, with exponential back-off.
    type: int
    default: 3
'''
