/**
 * Registers tfjs's gradient functions in Node. tfjs-core's CommonJS entry (what Node loads) registers no
 * gradients, and its ES-module files that do (`dist/register_all_gradients.js`) use extensionless relative
 * imports that bundlers accept and Node refuses. A resolve hook scoped to tfjs-core's dist folder adds the
 * `.js`; the gradients land in tfjs's global registry, which the CommonJS entry shares.
 */
import { registerHooks } from 'node:module';

let registration: Promise<void> | null = null;

export function registerAllGradients(): Promise<void> {
  registration ??= (async () => {
    registerHooks({
      resolve(specifier, context, nextResolve) {
        if (context.parentURL?.includes('/@tensorflow/tfjs-core/dist/') && specifier.startsWith('.') && !specifier.endsWith('.js')) {
          return nextResolve(`${specifier}.js`, context);
        }
        return nextResolve(specifier, context);
      },
    });
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  })();
  return registration;
}
