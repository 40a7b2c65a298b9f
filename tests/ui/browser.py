#!/usr/bin/env python3
"""Drives the officer's web app (hamlet ui) in Debian's headless Chromium
through chromium-driver, as an officer would: log in (a wrong passphrase
first), find a concern by words typed without diacritics, resolve it, add a
follow-up, see the report's figure change, sync, and visit every other page.
Saves a screenshot of each page in SHOTS. Exits 0 when every check held,
else 1 naming the first that did not.

Usage: browser.py URL PASSPHRASE SHOTS
"""
import os
import re
import struct
import sys
import tempfile
import zlib

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

URL, PASSPHRASE, SHOTS = sys.argv[1].rstrip('/'), sys.argv[2], sys.argv[3]
os.makedirs(SHOTS, exist_ok=True)


def check(ok, what):
    if not ok:
        print('browser.py: FAILED: ' + what, file=sys.stderr)
        try:
            main = re.search(r'<main>.*', driver.page_source, re.S)
            print('browser.py: the page at %s: %s' % (driver.current_url, (main.group(0) if main else '')[:1500]),
                  file=sys.stderr)
        except Exception:  # The page itself may be what failed.
            pass
        sys.exit(1)
    print('browser.py: ok: ' + what)


profile = tempfile.mkdtemp(prefix='hamlet-chromium-')
options = webdriver.ChromeOptions()
options.binary_location = os.environ.get('HAMLET_CHROMIUM', '/usr/bin/chromium')
for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1280,900',
            '--user-data-dir=' + profile, '--lang=en-US'):
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service(os.environ.get('HAMLET_CHROMEDRIVER', '/usr/bin/chromedriver')),
                          options=options)
# A generous bound on waiting for a page, so that a slow machine only waits.
driver.set_page_load_timeout(600)
wait = WebDriverWait(driver, 600)


def shot(name):
    driver.save_screenshot(os.path.join(SHOTS, name + '.png'))


def page():
    return driver.page_source


def submit(form_id, **fields):
    form = driver.find_element(By.ID, form_id)
    for name, value in fields.items():
        box = form.find_element(By.NAME, name)
        box.clear()
        box.send_keys(value)
    old = driver.find_element(By.TAG_NAME, 'html')
    form.find_element(By.CSS_SELECTOR, 'button[type=submit]').click()
    # The next page has replaced this one (a click does not wait for it).
    wait.until(expected_conditions.staleness_of(old))


def write_png(path, width, height, rgb):
    """A PNG of one colour, as a camera's photo stands in for here."""
    def part(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    rows = b''.join(b'\x00' + bytes(rgb) * width for _ in range(height))
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + part(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)) +
                part(b'IDAT', zlib.compress(rows)) + part(b'IEND', b''))


def image_drawn(element):
    return driver.execute_script('return arguments[0].complete && arguments[0].naturalWidth', element)


def figure(metric):
    driver.get(URL + '/report?from=01/01/2020')
    cells = driver.find_elements(By.CSS_SELECTOR, 'tr[data-metric="%s"] td' % metric)
    check(len(cells) >= 2, 'the report has a row for ' + metric)
    return cells[-1].text


try:
    # Any page asks for the passphrase first; a wrong one is refused.
    driver.get(URL + '/inbox')
    check(driver.current_url.endswith('/login'), 'an unopened app sends the browser to log in')
    shot('01-login')
    submit('login-form', passphrase='not the passphrase')
    check('wrong passphrase' in page(), 'a wrong passphrase is refused, in words')
    shot('02-login-refused')
    submit('login-form', passphrase=PASSPHRASE)
    check(driver.current_url.endswith('/inbox'), 'the right passphrase opens the inbox')
    check(len(driver.find_elements(By.CSS_SELECTOR, '#concerns tbody tr')) == 3, 'the inbox lists the 3 concerns')
    shot('03-inbox')

    # Found by words typed without diacritics.
    submit('filters', q='dat dai')
    rows = driver.find_elements(By.CSS_SELECTOR, '#concerns tbody tr')
    check(len(rows) == 1 and 'đất đai' in rows[0].text, '"dat dai" finds the one concern about đất đai')
    shot('04-search')
    concern = rows[0].get_attribute('data-id')
    resolved_before = int(figure('resolved'))

    # Resolve it, and add a follow-up.
    driver.get(URL + '/concern/' + concern)
    shot('05-concern')
    submit('do-resolve', value='Hai hộ đã thống nhất ranh giới')
    check('Saved.' in page(), 'resolving says it was saved')
    status = driver.find_element(By.CSS_SELECTOR, 'dd[data-field="status"]').text
    check(status == 'resolved', 'the concern reads resolved, not ' + status)
    submit('do-followup', note='Đã lập biên bản hòa giải')
    check('Đã lập biên bản hòa giải' in driver.find_element(By.ID, 'followups').text, 'the follow-up is listed')
    shot('06-concern-resolved')

    # The cadre's photo of the letter is at the hub, not here: opening it
    # fetches it; the concern's page then shows it. The officer attaches a
    # photo of their own from the browser.
    listed = driver.find_element(By.ID, 'attachments').text
    check('don-thu.png' in listed and 'not fetched' in listed, 'the cadre\'s photo is listed, not fetched yet')
    driver.find_element(By.CSS_SELECTOR, '#attachments a.fetch').click()
    wait.until(lambda d: '/attachment/' in d.current_url)
    check(image_drawn(driver.find_element(By.TAG_NAME, 'img')) == 40, 'the photo fetched from the hub is shown')
    driver.get(URL + '/concern/' + concern)
    images = driver.find_elements(By.CSS_SELECTOR, '#attachments img.attached')
    check(len(images) == 1 and image_drawn(images[0]) == 40, 'the concern\'s page shows the photo')
    photo = os.path.join(tempfile.mkdtemp(prefix='hamlet-photo-'), 'bien-ban.png')
    write_png(photo, 64, 48, (30, 120, 200))
    form = driver.find_element(By.ID, 'attach')
    form.find_element(By.NAME, 'file').send_keys(photo)
    old = driver.find_element(By.TAG_NAME, 'html')
    form.find_element(By.CSS_SELECTOR, 'button[type=submit]').click()
    wait.until(expected_conditions.staleness_of(old))
    images = driver.find_elements(By.CSS_SELECTOR, '#attachments img.attached')
    check(len(images) == 2 and sorted(image_drawn(i) for i in images) == [40, 64], 'the attached photo is shown')
    check('bien-ban.png' in driver.find_element(By.ID, 'attachments').text, 'the attached photo is listed')
    shot('07-concern-attachments')

    # A form refused keeps what was typed and says why.
    driver.get(URL + '/records/concerns/new')
    submit('record', summary='Đèn đường hỏng', received='31/02/2026')
    check('not a date' in page(), 'a bad date is refused in words')
    check(driver.find_element(By.ID, 'f-summary').get_attribute('value') == 'Đèn đường hỏng',
          'the refused form keeps what was typed')
    shot('07-form-refused')

    # The report's figure moved by one.
    after = int(figure('resolved'))
    check(after == resolved_before + 1, 'the report counts one more resolved (%d, then %d)' % (resolved_before, after))
    shot('08-report')
    driver.get(URL + '/report/page?from=01/01/2020')
    check('<svg' in page(), 'the printable report has its charts')
    shot('09-report-printable')

    # Sync, and watch it end.
    driver.get(URL + '/sync')
    shot('10-sync-before')
    submit('sync-form')
    try:
        wait.until(lambda d: 'Synced:' in d.page_source or 'class="error"' in d.page_source)
    except TimeoutException:
        check(False, 'the sync ended')
    check('Synced:' in page(), 'the sync went through')
    check(re.search(r'id="undelivered">0 commits', page()) is not None, 'nothing written here is missing at the hub')
    shot('11-sync-done')

    for path, name, marker in (('/records/dialogues', '12-dialogues', 'id="records"'),
                               ('/records/models', '13-models', 'id="records"'),
                               ('/records/models/new', '14-model-form', 'id="record"'),
                               ('/conflicts', '15-conflicts', 'No conflicts'),
                               ('/settings', '16-settings', 'id="settings"'),
                               ('/devices', '17-devices', 'id="devices"')):
        driver.get(URL + path)
        check(marker in page(), path + ' shows')
        shot(name)
    submit('invite-form')
    check('<svg' in driver.find_element(By.ID, 'invite').get_attribute('innerHTML'), 'an invite comes with its QR code')
    shot('18-invite')
    # Nothing of any page comes from anywhere but the app.
    check(not re.search(r'(src|href)="(https?:)?//', page()), 'no page fetches from the internet')
finally:
    driver.quit()
