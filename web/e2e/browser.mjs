// Chromium (Debian's /usr/bin/chromium) through playwright-core, plus the
// small steps every test repeats: sign in, take a screenshot, check overflow.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'
import { mkdtemp, mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ARTIFACTS_DIR, DEMO_PASSWORD, startServer } from './server.mjs'

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
]

export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 360, height: 740 }

/**
 * Opens a fresh browser profile. Returns { context, page, close() }.
 * Page errors and CSP violations are collected in `problems`.
 */
export async function openBrowser({ viewport = DESKTOP, baseURL, locale = 'zh-CN', isMobile = false } = {}) {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'shequ-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    baseURL,
    locale,
    isMobile,
    hasTouch: isMobile,
    deviceScaleFactor: 1,
    timezoneId: 'Asia/Shanghai',
    // the console turns CSS transitions off for this, so screenshots never catch an animation
    reducedMotion: 'reduce',
  })
  context.setDefaultTimeout(10_000)
  const page = context.pages()[0] || (await context.newPage())
  const problems = []
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
  page.on('console', (msg) => {
    const text = msg.text()
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(text)) problems.push(`csp: ${text}`)
  })
  async function close() {
    await context.close().catch(() => {})
    await rm(userDataDir, { recursive: true, force: true })
  }
  return { context, page, problems, close }
}

/**
 * The setup of a test file: registers before/after hooks that start a server
 * on demo data and open a browser on it (with `options` for openBrowser),
 * signed in as `user` when given, then runs `setup(env)` if given. Returns
 * env = { srv, browser }, filled in by the time the tests run.
 */
export function useServerAndBrowser({ user, setup, ...options } = {}) {
  const env = { srv: null, browser: null }
  before(async () => {
    env.srv = await startServer()
    env.browser = await openBrowser({ baseURL: env.srv.baseURL, ...options })
    if (user) await login(env.browser.page, user)
    if (setup) await setup(env)
  })
  after(async () => {
    await env.browser?.close()
    await env.srv?.stop()
  })
  return env
}

/**
 * The setup of a test file with several browsers: registers before/after
 * hooks that start a server on demo data, and at the end close every browser
 * opened with env.open(options) (openBrowser's options) and stop the server.
 * Returns env = { srv, browsers, open }, srv filled in by the time the tests run.
 */
export function useServerAndBrowsers() {
  const env = { srv: null, browsers: [] }
  env.open = async (options) => {
    const b = await openBrowser({ baseURL: env.srv.baseURL, ...options })
    env.browsers.push(b)
    return b
  }
  before(async () => {
    env.srv = await startServer()
  })
  after(async () => {
    for (const b of env.browsers) await b.close()
    await env.srv?.stop()
  })
  return env
}

/** Saves a full-page PNG as tests/artifacts/e2e/<name>.png. */
export async function screenshot(page, name) {
  await mkdir(ARTIFACTS_DIR, { recursive: true })
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`)
  await page.screenshot({ path: file, fullPage: true }).catch(() => {})
  return file
}

/** Fills the login form and submits it (does not wait for the outcome). */
export async function submitLogin(page, username, password = DEMO_PASSWORD) {
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
}

/** Opens /login, signs in and waits for the layout's account menu. */
export async function login(page, username, password = DEMO_PASSWORD) {
  await page.goto('/login')
  await submitLogin(page, username, password)
  await page.getByTestId('user-menu').waitFor()
}

/** Opens the account menu (a popover) if it is not open yet. */
export async function openAccountMenu(page) {
  const panel = page.getByTestId('account-panel')
  if (!(await panel.isVisible())) {
    await page.getByTestId('user-menu').click()
    await panel.waitFor({ state: 'visible' })
  }
  return panel
}

/** Closes the account menu with Escape and waits until it is gone. */
export async function closeAccountMenu(page) {
  const panel = page.getByTestId('account-panel')
  if (await panel.isVisible()) {
    await page.keyboard.press('Escape')
    await panel.waitFor({ state: 'hidden' })
  }
}

export async function logout(page) {
  await openAccountMenu(page)
  await page.getByTestId('logout').click()
  await page.getByTestId('login-submit').waitFor()
}

/** The page's scroll width and the viewport width. */
export function horizontalOverflow(page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }))
}

/** Asserts that neither the page nor its body scrolls sideways beyond `width`. */
export async function assertNoHorizontalScroll(page, what, width = PHONE.width) {
  const o = await horizontalOverflow(page)
  assert.ok(o.scrollWidth <= width, `${what}: scrollWidth ${o.scrollWidth} > ${width}`)
  assert.ok(o.bodyScrollWidth <= width, `${what}: body scrollWidth ${o.bodyScrollWidth} > ${width}`)
}
