# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""report.html in a real browser (headless Chromium through Selenium): run by tests/browser/run.sh.

Which report: $NETLIMITS_REPORT_HTML, else the fleet scenario's copy in tests/output/fleet-report/,
else the golden page tests/unit/fixtures/expected/audit/browser.html (fixture facts, a hostile host
name included; the unit tests keep it equal to what the filter renders). Checks: a row per host,
no console errors, nothing requested from anywhere, no script ran, the page fits its content.
The full-page screenshot is kept as tests/output/report.png.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import tempfile

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUTPUT = os.path.join(ROOT, 'tests', 'output')
FLEET_REPORT = os.path.join(OUTPUT, 'fleet-report', 'report.html')
SCREENSHOT = os.path.join(OUTPUT, 'report.png')
# The page of the unit tests' browser case (tests/unit/fixtures/audit_facts.py: a finding on three hosts, a
# hostile host name), kept byte for byte equal to what the filter renders by test_audit_golden.py.
FIXTURE_REPORT = os.path.join(ROOT, 'tests', 'unit', 'fixtures', 'expected', 'audit', 'browser.html')
CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
CHROMEDRIVER = shutil.which('chromedriver') or '/usr/bin/chromedriver'


@pytest.fixture(scope='module')
def report():
    """(path of report.html, the host names it must list)."""
    path = os.environ.get('NETLIMITS_REPORT_HTML') or (FLEET_REPORT if os.path.exists(FLEET_REPORT) else FIXTURE_REPORT)
    # The audit writes report.json next to report.html; the golden page's data is browser.json.
    data = FIXTURE_REPORT[:-len('.html')] + '.json' if path == FIXTURE_REPORT else os.path.join(os.path.dirname(path), 'report.json')
    with open(data) as handle:
        hosts = sorted(h['host'] for h in json.load(handle)['hosts'])
    return os.path.abspath(path), hosts


@pytest.fixture(scope='module')
def browser():
    profile = tempfile.mkdtemp(prefix='netlimits-chromium-')
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                '--disable-dev-shm-usage', '--window-size=1400,900', '--user-data-dir=' + profile):
        options.add_argument(arg)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope='module')
def page(browser, report):
    path, hosts = report
    browser.get('file://' + path)
    return browser, hosts


def test_a_row_per_host(page):
    driver, hosts = page
    rows = driver.find_elements(By.CSS_SELECTOR, '#hosts-table tbody tr.host-row')
    assert sorted(r.get_attribute('data-host') for r in rows) == hosts
    # The host name is shown as text, exactly (a hostile name is text, not markup).
    shown = sorted(r.find_element(By.CSS_SELECTOR, 'td.host').text for r in rows)
    assert shown == hosts
    for row in rows:
        assert row.is_displayed()


def test_findings_sorted_by_severity(page):
    driver, _hosts = page
    severities = [e.text for e in driver.find_elements(By.CSS_SELECTOR, '#findings-table tbody tr td:first-child .badge')]
    rank = {'critical': 0, 'warning': 1, 'info': 2}
    assert severities == sorted(severities, key=lambda s: rank.get(s, 3))


def test_no_console_errors_no_requests_no_script(page):
    driver, _hosts = page
    logs = driver.get_log('browser')
    assert [entry for entry in logs if entry.get('level') in ('SEVERE', 'WARNING')] == []
    # Only the document itself was loaded: no style sheet, font, image or script from anywhere.
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert driver.execute_script("return document.scripts.length") == 0
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # pylint: disable=pointless-statement


def test_a_finding_on_many_hosts_is_one_row_whose_hosts_unfold(page):
    driver, hosts = page
    rows = driver.find_elements(By.CSS_SELECTOR, '#findings-table tbody tr.finding-row')
    assert rows, 'no findings in the report'
    keys = [(r.find_element(By.CSS_SELECTOR, 'td:first-child .badge').text, r.get_attribute('data-finding')) for r in rows]
    assert len(keys) == len(set(keys)), 'a finding has more than one row'
    many = [r for r in rows if int(r.get_attribute('data-hosts')) > 1]
    assert many, 'the report should have a finding on more than one host'
    for row in many:
        count = int(row.get_attribute('data-hosts'))
        details = row.find_element(By.CSS_SELECTOR, 'details.hosts')
        items = details.find_elements(By.CSS_SELECTOR, 'li')
        assert not items[0].is_displayed()          # folded until asked
        summary = details.find_element(By.CSS_SELECTOR, 'summary')
        assert summary.text.startswith('%d: ' % count)
        summary.click()
        WebDriverWait(driver, 5).until(lambda d: items[0].is_displayed())
        names = set(i.find_element(By.CSS_SELECTOR, '.host-name').text for i in items)
        assert len(names) == count and names <= set(hosts)
        summary.click()                              # fold it again for the screenshot's sake


def test_headroom_bars_drawn(page):
    driver, _hosts = page
    bars = driver.find_elements(By.CSS_SELECTOR, '.bar span')
    assert bars, 'no headroom bars'
    for fill in bars:
        assert 0 <= fill.size['width'] <= 100


def test_screenshot(page):
    """Full page at 1400 px wide, kept for people to look at (tests/output is git-ignored)."""
    driver, _hosts = page
    # Unfold the per host tuning tables so the picture shows them too; a finding's hosts stay folded, as a
    # person first sees them (one row, the host count and names).
    driver.execute_script("document.querySelectorAll('details:not(.hosts)').forEach(function (d) { d.open = true; })")
    height = driver.execute_script('return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)')
    width = driver.execute_script('return document.documentElement.scrollWidth')
    # The page must not scroll sideways at this width.
    assert width <= 1400
    driver.set_window_size(1400, min(int(height) + 140, 6000))
    if os.path.exists(SCREENSHOT):
        os.remove(SCREENSHOT)
    assert driver.save_screenshot(SCREENSHOT)
    assert os.path.getsize(SCREENSHOT) > 10000
