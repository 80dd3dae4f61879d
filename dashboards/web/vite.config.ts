import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import Components from 'unplugin-vue-components/vite';
import { defineConfig } from 'vite';

/**
 * The console (dashboards/web): built by `npm run build:web` (scripts/setup runs it) into
 * dashboards/web/dist, which the API serves at `/`. `npm run dev:web` serves it with hot reload and
 * proxies /api to a running `jieneng start` (JIENENG_API, default http://127.0.0.1:8080).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [
    vue(),
    // Element Plus tree-shaken: each <el-…> tag and v-loading imports just its component (its CSS
    // comes whole from main.ts, ~50 KB gzipped), instead of registering the whole library.
    Components({ resolvers: [ElementPlusResolver({ importStyle: false })], dts: false }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // ECharts is large; it is loaded only by the screens with charts (their own chunks).
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': process.env.JIENENG_API ?? 'http://127.0.0.1:8080' },
  },
});
