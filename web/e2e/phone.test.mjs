import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useServerAndBrowser, screenshot, login, assertNoHorizontalScroll, PHONE } from './browser.mjs'

const env = useServerAndBrowser({ viewport: PHONE, isMobile: true })

test('jiangsu-grid on a 360px phone: drawer menu, territory page, no horizontal overflow', async () => {
  const { page, problems } = env.browser
  await page.goto('/login')
  await page.getByTestId('login-submit').waitFor()
  await assertNoHorizontalScroll(page, 'login')
  await screenshot(page, 'phone-login')

  await login(page, 'jiangsu-grid')
  // the side menu is hidden behind the menu button
  assert.equal(await page.locator('.layout-aside').count(), 0)
  // the start page (areas) moves on to the user's own area once loaded, which would close an open drawer
  await page.waitForURL(/\/areas\/\d+/)
  await page.getByTestId('menu-toggle').click()
  const drawer = page.locator('.menu-drawer')
  await drawer.getByTestId('menu-areas').waitFor({ state: 'visible' })
  await screenshot(page, 'phone-menu-drawer')
  await assertNoHorizontalScroll(page, 'drawer')
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
  await assertNoHorizontalScroll(page, 'territory')
  await screenshot(page, 'phone-territory')

  // the account menu fits as well
  await page.getByTestId('user-menu').click()
  await page.getByTestId('account-panel').waitFor({ state: 'visible' })
  await assertNoHorizontalScroll(page, 'account menu')
  await screenshot(page, 'phone-account-menu')
  assert.deepEqual(problems, [])
})
