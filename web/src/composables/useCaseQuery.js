// A short list of cases for a fixed query (the phone task lists): the first
// `pageSize` cases, "more" to grow it, refresh() for live updates.
import { ref, unref, watch } from 'vue'
import * as api from '../api.js'

export function useCaseQuery(query, { pageSize = 30 } = {}) {
  const items = ref([])
  const total = ref(0)
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref(null)
  const size = ref(pageSize)
  let seq = 0

  async function load({ silent = false } = {}) {
    const q = unref(query)
    if (!q) return
    const mine = ++seq
    if (!silent) loading.value = true
    error.value = null
    try {
      const data = await api.listCases({ ...q, page: 1, page_size: size.value })
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
  watch(() => JSON.stringify(unref(query)), () => {
    size.value = pageSize
    load()
  }, { immediate: true })

  return { items, total, loading, loaded, error, load, refresh: () => load({ silent: true }), more }
}
