import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useServerAndBrowser, screenshot, login, logout } from './browser.mjs'

const env = useServerAndBrowser()

const tree = (page) => page.getByTestId('area-tree')
const treeNode = (page, name) => tree(page).locator('.tree-node', { hasText: name }).first()

async function cardShows(page, name) {
  const card = page.getByTestId('area-card')
  await card.getByTestId('area-card-name').filter({ hasText: name }).waitFor()
  return card
}

test('admin expands 长宁区 → 江苏路街道 → a neighborhood and sees its card', async () => {
  const { page, problems } = env.browser
  await login(page, 'admin')
  await page.getByTestId('menu-areas').click()
  await treeNode(page, '长宁区').click()
  let card = await cardShows(page, '长宁区')
  assert.equal((await card.getByTestId('area-card-code').textContent()).trim(), '310105')
  assert.match(new URL(page.url()).pathname, /^\/areas\/310105$/)
  // a district card counts subdistricts, neighborhoods and grids, and draws the chart
  for (const level of ['subdistrict', 'neighborhood', 'grid']) {
    assert.match(await card.getByTestId(`area-count-${level}`).textContent(), /\d+/)
  }
  await card.getByTestId('area-chart').waitFor()

  await treeNode(page, '江苏路街道').click()
  card = await cardShows(page, '江苏路街道')
  assert.equal((await card.getByTestId('area-card-code').textContent()).trim(), '310105002')
  assert.match(await card.getByTestId('area-card-path').textContent(), /长宁区/)
  const neighborhoods = Number((await card.getByTestId('area-count-neighborhood').textContent()).match(/\d+/)[0])
  assert.ok(neighborhoods > 0, '江苏路街道 has neighborhoods in the demo data')
  await screenshot(page, 'territory-jiangsu')

  // the first neighborhood below 江苏路街道
  const first = tree(page).locator('.tree-node[data-level="neighborhood"]').first()
  await first.waitFor()
  const name = (await first.locator('.tree-node-name').textContent()).trim()
  await first.click()
  card = await cardShows(page, name)
  const code = (await card.getByTestId('area-card-code').textContent()).trim()
  assert.ok(code.startsWith('310105002'), `neighborhood code ${code} is under 310105002`)
  assert.match(await card.getByTestId('area-card-level').textContent(), /居民区/)
  assert.match(await card.getByTestId('area-card-path').textContent(), /长宁区.*江苏路街道/s)
  assert.match(await card.getByTestId('area-count-grid').textContent(), /\d+/)
  await screenshot(page, 'territory-neighborhood')

  // the card opens straight from its URL, with the tree opened down to it
  await page.goto(`/areas/${code}`)
  await cardShows(page, name)
  await tree(page).locator('.is-current > .el-tree-node__content .tree-node', { hasText: name }).waitFor()
  assert.deepEqual(problems, [], 'no page errors or CSP violations')
  await logout(page)
})

test('jiangsu sees only 江苏路街道; 华阳路 is not found and never in the tree', async () => {
  const { page, problems } = env.browser
  await login(page, 'jiangsu')
  await page.waitForURL(/\/areas/)
  const roots = tree(page).locator(':scope > .el-tree-node')
  await roots.first().waitFor()
  assert.equal(await roots.count(), 1)
  assert.match(await roots.first().locator('.tree-node').first().textContent(), /江苏路街道/)
  await cardShows(page, '江苏路街道')
  // open the root to load its children, then look for 华阳路 anywhere
  await treeNode(page, '江苏路街道').click()
  await tree(page).locator('.tree-node[data-level="neighborhood"]').first().waitFor()
  assert.equal(await tree(page).locator('.tree-node', { hasText: '华阳路' }).count(), 0)

  await page.goto('/areas/310105001')
  await page.getByTestId('area-not-found').waitFor()
  await screenshot(page, 'territory-jiangsu-huayang-not-found')
  assert.equal(await page.getByTestId('area-card').count(), 0)
  await tree(page).locator('.tree-node').first().waitFor()
  assert.equal(await tree(page).locator('.tree-node', { hasText: '华阳路' }).count(), 0)
  // the area menu entry is there, the audit one is not
  assert.equal(await page.getByTestId('menu-audit').count(), 0)
  assert.deepEqual(problems, [])
  await logout(page)
})
