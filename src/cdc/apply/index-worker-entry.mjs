// Key index thread entry: registers tsx (a checkout runs TypeScript without a build step; a
// second registration under `node --import tsx` is harmless), then starts the thread body.
import { register } from 'tsx/esm/api';

register();
await import('./index-worker.ts');
