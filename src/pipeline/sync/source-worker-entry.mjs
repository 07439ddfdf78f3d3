// Worker thread entry when the bundle is unavailable: registers tsx (a checkout runs
// TypeScript without a build step), then starts the source worker.
import { register } from 'tsx/esm/api';

register();
await import('./source-worker.ts');
