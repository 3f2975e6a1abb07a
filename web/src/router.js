import { createRouter, createWebHistory } from 'vue-router'
import { useSessionStore } from './stores/session.js'
import { i18n } from './i18n/index.js'
import AppLayout from './components/AppLayout.vue'
import LoginView from './views/LoginView.vue'

/**
 * Side-menu entries; each needs one permission from GET /me `permissions`, and
 * some only suit certain account roles (`roles`: only these; `notRoles`: not
 * these). `home`: the roles that start on this page after signing in (the
 * others start on the first entry they may see).
 */
export const MENU = [
  { name: 'areas', path: '/areas', permission: 'area.read', label: 'nav.areas', icon: 'location' },
  {
    name: 'cases', path: '/cases', permission: 'case.read', notRoles: ['resident'], label: 'nav.cases', icon: 'tickets',
    home: ['dispatcher', 'hotline_operator'],
  },
  {
    name: 'my-cases', path: '/my-cases', permission: 'case.read', roles: ['grid_worker', 'department_staff', 'neighborhood_worker'],
    label: 'nav.myCases', icon: 'list', home: ['department_staff'],
  },
  { name: 'case-new', path: '/cases/new', permission: 'case.report', notRoles: ['resident'], label: 'nav.caseNew', icon: 'camera' },
  { name: 'report', path: '/report', permission: 'case.report', roles: ['resident'], label: 'nav.report', icon: 'camera' },
  {
    name: 'my-reports', path: '/my-reports', permission: 'case.read', roles: ['resident'], label: 'nav.myReports', icon: 'list',
    home: ['resident'],
  },
  // applications (一网通办 申请): residents follow their own; staff handle (or, 网格员, follow their 代办)
  {
    name: 'my-applications', path: '/my-applications', permission: 'application.apply', roles: ['resident'],
    label: 'nav.myApplications', icon: 'document',
  },
  {
    name: 'applications', path: '/applications', anyPermission: ['application.handle', 'application.apply'], notRoles: ['resident'],
    label: 'nav.applications', icon: 'stamp',
  },
  { name: 'case-indicators', path: '/case-indicators', permission: 'case.indicators', label: 'nav.caseIndicators', icon: 'chart' },
  { name: 'persons', path: '/persons', permission: 'registry.read', label: 'nav.persons', icon: 'user' },
  { name: 'dwellings', path: '/dwellings', permission: 'registry.read', label: 'nav.dwellings', icon: 'house' },
  { name: 'compounds', path: '/compounds', permission: 'registry.read', label: 'nav.compounds', icon: 'building' },
  { name: 'organizations', path: '/organizations', permission: 'registry.read', label: 'nav.organizations', icon: 'shop' },
  { name: 'imports', path: '/imports', permission: 'registry.import', label: 'nav.imports', icon: 'upload' },
  { name: 'audit', path: '/audit', permission: 'audit.read', label: 'nav.audit', icon: 'document' },
  // services (一网通办): the portal is open to everyone; last, so no role starts there
  { name: 'services', path: '/services', label: 'nav.services', icon: 'service' },
  { name: 'services-admin', path: '/services-admin', permission: 'service.admin', label: 'nav.servicesAdmin', icon: 'edit' },
]

/** Whether the signed-in user may use a menu entry or route (its `permission`, `anyPermission`, `roles`, `notRoles`). */
export function allows(session, rule = {}) {
  if (rule.permission && !session.can(rule.permission)) return false
  if (rule.anyPermission && !rule.anyPermission.some((p) => session.can(p))) return false
  const role = session.user?.role
  if (rule.roles && !rule.roles.includes(role)) return false
  if (rule.notRoles && rule.notRoles.includes(role)) return false
  return true
}

// Registry pages (一标三实). `menu` marks the side-menu entry a detail page belongs to.
const registry = (path, name, load, title, extra = {}) => ({
  path,
  name,
  component: load,
  meta: { permission: 'registry.read', title, ...extra },
})

// Case pages: case.read unless `extra` says otherwise.
const cases = (path, name, load, title, extra = {}) => ({
  path,
  name,
  component: load,
  meta: { permission: 'case.read', title, ...extra },
})

// Services pages readable without signing in. `careDefault`: care mode is on
// here for residents (and visitors) unless they chose otherwise.
const portal = (path, name, load, title) => ({
  path,
  name,
  component: load,
  meta: { public: true, careDefault: true, title, menu: '/services' },
})

const routes = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: 'login.title' } },
  // residents register themselves with their mobile number
  {
    path: '/register', name: 'register', component: () => import('./views/RegisterView.vue'),
    meta: { public: true, careDefault: true, title: 'register.title' },
  },
  // the service centre's touch screen: no sign-in, no menus
  { path: '/kiosk', name: 'kiosk', component: () => import('./views/KioskView.vue'), meta: { public: true, kiosk: true, title: 'kiosk.title' } },
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
      // cases (一网统管)
      cases('cases', 'cases', () => import('./views/CasesView.vue'), 'nav.cases', { notRoles: ['resident'] }),
      cases('cases/new', 'case-new', () => import('./views/CaseNewView.vue'), 'nav.caseNew',
        { permission: 'case.report', notRoles: ['resident'], menu: '/cases/new' }),
      cases('cases/:id(\\d+)', 'case', () => import('./views/CaseView.vue'), 'caseView.title', { menu: '/cases' }),
      cases('my-cases', 'my-cases', () => import('./views/MyCasesView.vue'), 'nav.myCases'),
      cases('report', 'report', () => import('./views/ReportView.vue'), 'nav.report', { permission: 'case.report' }),
      cases('my-reports', 'my-reports', () => import('./views/MyReportsView.vue'), 'nav.myReports'),
      cases('case-indicators', 'case-indicators', () => import('./views/CaseIndicatorsView.vue'), 'nav.caseIndicators',
        { permission: 'case.indicators' }),
      registry('persons', 'persons', () => import('./views/PersonsView.vue'), 'nav.persons'),
      registry('persons/:id', 'person', () => import('./views/PersonView.vue'), 'person.title', { menu: '/persons' }),
      registry('dwellings', 'dwellings', () => import('./views/DwellingsView.vue'), 'nav.dwellings'),
      registry('dwellings/:id', 'dwelling', () => import('./views/DwellingView.vue'), 'dwelling.title', { menu: '/dwellings' }),
      registry('buildings/:id', 'building', () => import('./views/BuildingView.vue'), 'building.title', { menu: '/compounds' }),
      registry('compounds', 'compounds', () => import('./views/CompoundsView.vue'), 'nav.compounds'),
      registry('compounds/:id', 'compound', () => import('./views/CompoundView.vue'), 'compound.title', { menu: '/compounds' }),
      registry('organizations', 'organizations', () => import('./views/OrganizationsView.vue'), 'nav.organizations'),
      registry('imports', 'imports', () => import('./views/ImportView.vue'), 'nav.imports', { permission: 'registry.import' }),
      // services (一网通办)
      portal('services', 'services', () => import('./views/ServicesView.vue'), 'nav.services'),
      portal('services/:code', 'service-guide', () => import('./views/ServiceGuideView.vue'), 'services.guideTitle'),
      // applications (一网通办 申请): apply online (residents) or on a resident's behalf (代办, workers)
      {
        path: 'apply/:code',
        name: 'apply',
        component: () => import('./views/ApplyView.vue'),
        meta: { permission: 'application.apply', careDefault: true, title: 'apply.title', menu: '/services' },
      },
      {
        path: 'my-applications',
        name: 'my-applications',
        component: () => import('./views/MyApplicationsView.vue'),
        meta: { permission: 'application.apply', roles: ['resident'], title: 'nav.myApplications' },
      },
      {
        path: 'applications',
        name: 'applications',
        component: () => import('./views/ApplicationsView.vue'),
        meta: { anyPermission: ['application.handle', 'application.apply'], notRoles: ['resident'], title: 'nav.applications' },
      },
      {
        path: 'applications/:id(\\d+)',
        name: 'application',
        component: () => import('./views/ApplicationView.vue'),
        meta: { anyPermission: ['application.handle', 'application.apply'], title: 'applications.title' },
      },
      {
        path: 'services-admin',
        name: 'services-admin',
        component: () => import('./views/ServicesAdminView.vue'),
        meta: { permission: 'service.admin', title: 'nav.servicesAdmin' },
      },
      {
        path: 'services-admin/:code',
        name: 'service-edit',
        component: () => import('./views/ServiceEditView.vue'),
        meta: { permission: 'service.admin', title: 'servicesAdmin.editTitle', menu: '/services-admin' },
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
  const role = session.user?.role
  const entry = MENU.find((m) => m.home?.includes(role) && allows(session, m)) || MENU.find((m) => allows(session, m))
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
  if (!allows(session, to.meta)) return homeFor(session)
  return true
})

export function updateTitle(route = router.currentRoute.value) {
  const { t } = i18n.global
  const key = route.meta?.title
  document.title = key ? `${t(key)} - ${t('app.name')}` : t('app.name')
}

router.afterEach((to) => {
  updateTitle(to)
  useSessionStore().setPageCareDefault(Boolean(to.meta.careDefault))
})
