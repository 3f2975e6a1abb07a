// The registry pages on a 360 px phone: person search as cards, the building
// grid scrolling inside its own box, care mode; never a horizontal page scroll.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useServerAndBrowser, screenshot, login, assertNoHorizontalScroll, openAccountMenu, closeAccountMenu, PHONE } from './browser.mjs'
import { apiGet } from './registry-helpers.mjs'

const env = useServerAndBrowser({ viewport: PHONE, isMobile: true })

async function assertNoOverflow(page, what) {
  await assertNoHorizontalScroll(page, what)
  // nothing sticks out of the viewport either (html/body clip sideways overflow),
  // except inside boxes that scroll on their own
  const outside = await page.evaluate((width) => {
    const scrolls = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p)
        if (/(auto|scroll|hidden)/.test(s.overflowX) && p.clientWidth < width) return true
      }
      return false
    }
    return [...document.querySelectorAll('#main *')]
      .filter((el) => {
        const r = el.getBoundingClientRect()
        return r.width > 0 && r.height > 0 && (r.right > width + 1 || r.left < -1) && !scrolls(el)
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} ${Math.round(el.getBoundingClientRect().right)}`)
  }, PHONE.width)
  assert.deepEqual(outside, [], `${what}: elements outside the viewport`)
}

test('jiangsu-grid on a phone: person search as cards, no horizontal overflow', async () => {
  const { page, problems } = env.browser
  await login(page, 'jiangsu-grid')
  // the start page (areas) moves on to the user's own area once loaded, which would close an open drawer
  await page.waitForURL(/\/areas\/\d+/)
  await page.getByTestId('menu-toggle').click()
  const drawer = page.locator('.menu-drawer')
  await drawer.getByTestId('menu-persons').waitFor({ state: 'visible' })
  // a grid worker may not import
  assert.equal(await drawer.getByTestId('menu-imports').count(), 0)
  await drawer.getByTestId('menu-persons').click()
  await page.waitForURL(/\/persons$/)
  const cards = page.getByTestId('persons-cards').getByTestId('person-row')
  await cards.first().waitFor()
  assert.equal(await page.getByTestId('persons-table').count(), 0, 'cards instead of a table')
  await assertNoOverflow(page, 'person list')
  await screenshot(page, 'phone-registry-persons')

  const name = (await cards.first().locator('.person-name').textContent()).trim()
  const part = [...name].slice(0, 2).join('')
  await page.getByTestId('persons-q').fill(part)
  await page.getByTestId('persons-search').click()
  await page.waitForURL((url) => url.searchParams.get('q') === part)
  await cards.first().waitFor()
  for (const n of await cards.locator('.person-name').allTextContents()) assert.ok(n.includes(part))
  // more filters unfold and still fit
  await page.getByTestId('persons-more').click()
  await page.getByTestId('persons-address').waitFor()
  await assertNoOverflow(page, 'person filters')
  await screenshot(page, 'phone-registry-persons-filters')

  await cards.first().click()
  await page.waitForURL(/\/persons\/\d+$/)
  await page.getByTestId('person-card').waitFor()
  // a grid worker has no person.unmask: no unmask buttons
  assert.equal(await page.getByTestId('unmask-phone').count(), 0)
  assert.equal(await page.getByTestId('unmask-document-number').count(), 0)
  await page.getByTestId('residency-timeline').waitFor()
  await assertNoOverflow(page, 'person page')
  await screenshot(page, 'phone-registry-person')
  assert.deepEqual(problems, [])
})

test('the building grid scrolls inside its box on a phone, also in care mode', async () => {
  const { page, problems } = env.browser
  // the widest building the grid worker can see
  const compounds = await apiGet(page, '/compounds?page_size=100')
  let widest = null
  for (const c of compounds.items) {
    const detail = await apiGet(page, `/compounds/${c.id}`)
    for (const b of detail.buildings) {
      const building = await apiGet(page, `/buildings/${b.id}`)
      const cols = Math.max(...building.grid.map((f) => f.dwellings.length))
      if (!widest || cols > widest.cols) widest = { id: b.id, cols }
    }
    if (widest && widest.cols >= 5) break
  }
  assert.ok(widest, 'a building in the grid worker\'s territory')
  await page.goto(`/buildings/${widest.id}`)
  const box = page.getByTestId('building-grid-scroll')
  await box.waitFor()
  await assertNoOverflow(page, 'building view')
  const sizes = await box.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }))
  assert.ok(sizes.client <= PHONE.width)
  if (widest.cols >= 4) assert.ok(sizes.scroll > sizes.client, 'the grid is wider than the phone and scrolls inside its box')
  await screenshot(page, 'phone-registry-building')

  // scrolling the box sideways leaves the page where it is
  await box.evaluate((el) => { el.scrollLeft = el.scrollWidth })
  assert.equal(await page.evaluate(() => window.scrollX), 0)

  // care mode: bigger cells, still no page overflow
  await openAccountMenu(page)
  await page.getByTestId('care-switch').click()
  await page.waitForFunction(() => document.documentElement.classList.contains('care-mode'))
  await closeAccountMenu(page)
  await page.waitForTimeout(200)
  await assertNoOverflow(page, 'building view in care mode')
  const cell = await page.getByTestId('dwelling-cell').first().boundingBox()
  assert.ok(cell.width >= 100 && cell.height >= 48, `care mode cell ${cell.width}×${cell.height}`)
  await screenshot(page, 'phone-registry-building-care')

  // a cell opens the dwelling, which fits too
  await page.getByTestId('dwelling-cell').first().click()
  await page.waitForURL(/\/dwellings\/\d+$/)
  await page.getByTestId('dwelling-card').waitFor()
  await assertNoOverflow(page, 'dwelling page in care mode')
  await screenshot(page, 'phone-registry-dwelling-care')

  await openAccountMenu(page)
  await page.getByTestId('care-switch').click()
  await page.waitForFunction(() => !document.documentElement.classList.contains('care-mode'))
  await closeAccountMenu(page)
  assert.deepEqual(problems, [])
})
