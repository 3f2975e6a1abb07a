// A short list for a query (the phone lists): the first `pageSize` items,
// "more" to grow it, refresh() for live updates. `fetch(params)`: the API call
// (api.listCases, api.listApplications, …); `query`: a ref or a getter of its
// filters (nothing: nothing is loaded).
import { ref, unref, watch } from 'vue'

export function useListQuery(fetch, query, { pageSize = 30 } = {}) {
  const items = ref([])
  const total = ref(0)
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref(null)
  const size = ref(pageSize)
  const current = () => (typeof query === 'function' ? query() : unref(query))
  let seq = 0

  async function load({ silent = false } = {}) {
    const q = current()
    if (!q) return
    const mine = ++seq
    if (!silent) loading.value = true
    error.value = null
    try {
      const data = await fetch({ ...q, page: 1, page_size: size.value })
      if (mine !== seq) return
      items.value = data?.items || []
      total.value = data?.total ?? items.value.length
      loaded.value = true
    } catch (err) {
      if (mine !== seq || silent) return
      items.value = []
      total.value = 0
      if (err.status !== 401) error.value = err
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  function more() {
    size.value = Math.min(200, size.value + pageSize)
    load()
  }
  watch(() => JSON.stringify(current()), () => {
    size.value = pageSize
    load()
  }, { immediate: true })

  return { items, total, loading, loaded, error, load, refresh: () => load({ silent: true }), more }
}
