"""Headless Chromium for the browser tests (tests/firmware/panel/, tests/sync/report/): Debian's
chromium driven through its chromedriver by python3-selenium, as these tests all start it.

    driver = start_chromium(work_dir, output_dir, window=(1280, 1000), wait_s=30)

The browser profile lives in work_dir/chromium; chromedriver's log is output_dir/chromedriver.log,
kept with the test's screenshots. The browser's console is logged at every level, so that a test
can read it (driver.get_log("browser")). Pages get 2 × wait_s to load and scripts wait_s to run.

Raises ChromiumError (a RuntimeError) naming chromedriver and what it said when the browser does
not start. The caller owns the driver and quits it.
"""

import os

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

CHROMEDRIVER = "/usr/bin/chromedriver"


class ChromiumError(RuntimeError):
    """Chromium did not start."""


def start_chromium(work_dir, output_dir, window, wait_s):
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={window[0]},{window[1]}",
                     "--user-data-dir=" + os.path.join(work_dir, "chromium")):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(CHROMEDRIVER, log_path=os.path.join(output_dir, "chromedriver.log"))
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except WebDriverException as error:
        raise ChromiumError(f"Chromium did not start through {CHROMEDRIVER}: {error.msg}") from None
    driver.set_page_load_timeout(wait_s * 2)
    driver.set_script_timeout(wait_s)
    return driver
