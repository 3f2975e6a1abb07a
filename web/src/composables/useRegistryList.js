// State of a registry list page (persons, dwellings, compounds, organizations),
// kept in the URL query so that Back and reload return to the same search.
import { ref, reactive, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'

export const PAGE_SIZES = [10, 20, 50, 100]

function clean(value) {
  if (value === undefined || value === null) return ''
  return String(value).trim()
}

/**
 * `fields`: {name: ''} for every filter (query parameter) the page has;
 * `fetch(query)`: the api.js list function ({items, total}).
 * Returns the editable `filters`, the `applied` ones (of the rows shown),
 * the rows and paging, and search() / reset() / setPage() / setPageSize(),
 * and refresh(): load the same page again without the loading mask (live updates).
 */
export function useRegistryList({ fields, fetch, pageSize = 20 }) {
  const route = useRoute()
  const router = useRouter()
  const routeName = route.name
  const names = Object.keys(fields)

  const filters = reactive({ ...fields })
  const applied = ref({})
  const page = ref(1)
  const size = ref(pageSize)
  const rows = ref([])
  const total = ref(0)
  const loading = ref(false)
  const error = ref(null)
  const loaded = ref(false)
  let seq = 0
  let quiet = false

  function edited() {
    const out = {}
    for (const k of names) {
      const v = clean(filters[k])
      if (v) out[k] = v
    }
    return out
  }

  function readQuery(q) {
    for (const k of names) filters[k] = typeof q[k] === 'string' ? q[k] : fields[k]
    page.value = Math.max(1, Number.parseInt(q.page, 10) || 1)
    const s = Number.parseInt(q.page_size, 10)
    size.value = PAGE_SIZES.includes(s) ? s : pageSize
  }

  async function load() {
    if (route.name !== routeName) return
    // a quiet refresh keeps what the user is typing in the filters
    const silent = quiet
    let current = applied.value
    if (!silent) {
      readQuery(route.query)
      current = edited()
      applied.value = current
    }
    const mine = ++seq
    if (!silent) loading.value = true
    error.value = null
    try {
      const data = await fetch({ ...current, page: page.value, page_size: size.value })
      if (mine !== seq) return
      rows.value = data?.items || []
      total.value = data?.total ?? rows.value.length
      loaded.value = true
    } catch (err) {
      if (mine !== seq) return
      if (silent) return // a failed live refresh keeps the rows shown
      rows.value = []
      total.value = 0
      if (err.status !== 401) error.value = err
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  function go(query) {
    const next = { ...query }
    if (next.page === 1) delete next.page
    if (next.page_size === pageSize) delete next.page_size
    const asText = (q) => JSON.stringify(Object.entries(q).map(([k, v]) => [k, String(v)]).sort())
    if (asText(next) === asText(route.query)) load()
    else router.push({ name: routeName, params: route.params, query: next })
  }

  function search() {
    go({ ...edited(), page_size: size.value })
  }
  function reset() {
    Object.assign(filters, fields)
    go({ page_size: size.value })
  }
  function setPage(p) {
    go({ ...applied.value, page: p, page_size: size.value })
  }
  function setPageSize(s) {
    go({ ...applied.value, page_size: s })
  }

  function refresh() {
    quiet = true
    try {
      return load()
    } finally {
      quiet = false
    }
  }

  watch(() => route.query, load, { immediate: true })

  return {
    filters, applied, page, size, rows, total, loading, error, loaded, load, refresh, search, reset, setPage, setPageSize,
  }
}
