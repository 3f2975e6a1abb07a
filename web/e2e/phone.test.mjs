import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer } from './server.mjs'
import { openBrowser, screenshot, login, horizontalOverflow, PHONE } from './browser.mjs'

let srv
let browser
before(async () => {
  srv = await startServer()
  browser = await openBrowser({ baseURL: srv.baseURL, viewport: PHONE, isMobile: true })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

async function assertNoOverflow(page, what) {
  const o = await horizontalOverflow(page)
  assert.ok(o.scrollWidth <= PHONE.width, `${what}: scrollWidth ${o.scrollWidth} > ${PHONE.width}`)
  assert.ok(o.bodyScrollWidth <= PHONE.width, `${what}: body scrollWidth ${o.bodyScrollWidth} > ${PHONE.width}`)
}

test('jiangsu-grid on a 360px phone: drawer menu, territory page, no horizontal overflow', async () => {
  const { page, problems } = browser
  await page.goto('/login')
  await page.getByTestId('login-submit').waitFor()
  await assertNoOverflow(page, 'login')
  await screenshot(page, 'phone-login')

  await login(page, 'jiangsu-grid')
  // the side menu is hidden behind the menu button
  assert.equal(await page.locator('.layout-aside').count(), 0)
  await page.getByTestId('menu-toggle').click()
  const drawer = page.locator('.menu-drawer')
  await drawer.getByTestId('menu-areas').waitFor({ state: 'visible' })
  await screenshot(page, 'phone-menu-drawer')
  await assertNoOverflow(page, 'drawer')
  await drawer.getByTestId('menu-areas').click()
  await page.waitForURL(/\/areas/)
  await drawer.waitFor({ state: 'hidden' })

  const card = page.getByTestId('area-card')
  await card.waitFor()
  // the tree stacks above the card
  const treeBox = await page.getByTestId('area-tree').boundingBox()
  const cardBox = await card.boundingBox()
  assert.ok(cardBox.y >= treeBox.y + treeBox.height - 1, 'card below the tree')
  assert.equal((await card.getByTestId('area-card-code').textContent()).trim().length > 0, true)
  assert.match(await card.getByTestId('area-card-level').textContent(), /网格/)
  await assertNoOverflow(page, 'territory')
  await screenshot(page, 'phone-territory')

  // the account menu fits as well
  await page.getByTestId('user-menu').click()
  await page.getByTestId('account-panel').waitFor({ state: 'visible' })
  await assertNoOverflow(page, 'account menu')
  await screenshot(page, 'phone-account-menu')
  assert.deepEqual(problems, [])
})
