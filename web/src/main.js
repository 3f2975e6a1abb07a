import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { vLoading } from 'element-plus'
import 'element-plus/dist/index.css'
import './styles/main.css'
import './styles/registry.css'

import App from './App.vue'
import { i18n, setLanguage, storedLanguage } from './i18n/index.js'
import { router } from './router.js'
import { onUnauthenticated } from './api.js'
import { useSessionStore } from './stores/session.js'

setLanguage(storedLanguage())

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(router)
app.directive('loading', vLoading)

// Any 401 except on login: the session is gone; sign in again and come back here.
onUnauthenticated(() => {
  const session = useSessionStore(pinia)
  const wasSignedIn = session.signedIn
  session.expire()
  const current = router.currentRoute.value
  if (current.name === 'login') return
  const query = { redirect: current.fullPath }
  if (wasSignedIn) query.expired = '1'
  router.replace({ name: 'login', query })
})

app.mount('#app')
