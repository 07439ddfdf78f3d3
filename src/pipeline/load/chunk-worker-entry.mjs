// Worker thread entry: registers tsx (a checkout runs TypeScript without a build step; a
// second registration under `node --import tsx` is harmless), then starts the worker body.
import { register } from 'tsx/esm/api';

register();
await import('./chunk-worker.ts');
