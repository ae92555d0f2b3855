import { defineConfig } from 'vite';

// The operator serves the built files from the jar's ui/ folder; relative paths let it sit
// behind a proxy under any prefix.
export default defineConfig({
  base: './',
  build: {
    outDir: '../../../target/classes/ui',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
  },
});
