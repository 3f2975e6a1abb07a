// One record page's loading: the record named by the route's :id, the newest
// request winning, reloaded when the id changes, a 404 shown as "not found".
import { computed, ref, watch } from 'vue'
import { useRoute } from 'vue-router'

// `routeName`: the page's route (the id watch ignores other routes while
// leaving); `fetch(id)`: the API call; `onLoaded(record)`, `onReset()`: the
// page's own extra steps.
export function useRecord(routeName, fetch, { onLoaded, onReset } = {}) {
  const route = useRoute()
  const id = computed(() => String(route.params.id || ''))
  const record = ref(null)
  const loading = ref(false)
  const loadError = ref(null)
  let seq = 0

  async function load(forId = id.value) {
    const mine = ++seq
    loading.value = true
    loadError.value = null
    try {
      const r = await fetch(forId)
      if (mine !== seq) return
      record.value = r
      onLoaded?.(r)
    } catch (err) {
      if (mine !== seq) return
      record.value = null
      if (err.status !== 401) loadError.value = err
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  watch(id, (value) => {
    if (route.name !== routeName) return
    record.value = null
    onReset?.()
    if (value) load(value)
  }, { immediate: true })

  const notFound = computed(() => loadError.value?.status === 404)
  return { id, record, loading, loadError, notFound, load }
}
