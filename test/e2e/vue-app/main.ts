/**
 * The Vue 3 + vue-router app the e2e tests drive (vue.spec.ts). Render functions
 * (no SFC, no template compiler: the runtime-only build runs under the strict
 * CSP). Every route needs a signed-in user (one global guard), except `/public`.
 */
import { createApp, defineComponent, h } from 'vue';
import { createRouter, createWebHistory, RouterView, useRoute } from 'vue-router';
import { createSession } from 'latchkey';
import { createAuthGuard, createLatchkey, useSession } from 'latchkey/vue';

const stack = __LATCHKEY_STACK__;
const session = createSession({
  issuer: stack.issuer,
  clientId: stack.clientId,
  redirectUri: `${stack.appOrigin}/callback`,
  apiOrigins: [stack.apiOrigin],
  postLogoutRedirectUri: `${stack.appOrigin}/`,
});
window.session = session;

const Page = defineComponent(() => {
  const route = useRoute();
  return () => h('p', { id: 'page' }, route.fullPath);
});

const Shell = defineComponent(() => {
  const { status, user, error } = useSession<{ sub: string }>();
  return () => h('div', [
    h('p', ['Status: ', h('span', { id: 'status' }, status.value)]),
    h('p', ['User: ', h('span', { id: 'user' }, user.value?.sub ?? '')]),
    h('p', ['Error: ', h('span', { id: 'error' }, error.value?.code ?? '')]),
    h(RouterView),
  ]);
});

const router = createRouter({
  history: createWebHistory(),
  routes: [{ path: '/:any(.*)*', component: Page }],
});
router.beforeEach(createAuthGuard(session, { requiresAuth: (to) => to.path !== '/public' }));

createApp(Shell).use(router).use(createLatchkey(session)).mount('#app');
