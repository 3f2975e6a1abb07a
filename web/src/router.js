import { createRouter, createWebHistory } from 'vue-router'
import { useSessionStore } from './stores/session.js'
import { i18n } from './i18n/index.js'
import AppLayout from './components/AppLayout.vue'
import LoginView from './views/LoginView.vue'

/** Side-menu entries; each needs one permission from GET /me `permissions`. */
export const MENU = [
  { name: 'areas', path: '/areas', permission: 'area.read', label: 'nav.areas', icon: 'location' },
  { name: 'audit', path: '/audit', permission: 'audit.read', label: 'nav.audit', icon: 'document' },
]

const routes = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: 'login.title' } },
  {
    path: '/',
    component: AppLayout,
    children: [
      { path: '', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'home.title' } },
      {
        path: 'areas/:code?',
        name: 'areas',
        component: () => import('./views/AreasView.vue'),
        meta: { permission: 'area.read', title: 'nav.areas' },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('./views/AuditView.vue'),
        meta: { permission: 'audit.read', title: 'nav.audit' },
      },
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./views/NotFoundView.vue'),
    meta: { public: true, title: 'notFound.title' },
  },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
})

/** The first page the user may open, for `/` and after sign-in. */
export function homeFor(session) {
  const entry = MENU.find((m) => session.can(m.permission))
  return entry ? { path: entry.path } : { name: 'home' }
}

router.beforeEach(async (to) => {
  const session = useSessionStore()
  try {
    await session.ensureChecked()
  } catch {
    // server unreachable: public pages still work; others go to login, which shows the error
  }
  if (to.meta.public) {
    if (to.name === 'login' && session.signedIn) return homeFor(session)
    return true
  }
  if (!session.signedIn) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (to.name === 'home') {
    const home = homeFor(session)
    if (home.path) return home
  }
  if (to.meta.permission && !session.can(to.meta.permission)) return homeFor(session)
  return true
})

export function updateTitle(route = router.currentRoute.value) {
  const { t } = i18n.global
  const key = route.meta?.title
  document.title = key ? `${t(key)} - ${t('app.name')}` : t('app.name')
}

router.afterEach((to) => updateTitle(to))
