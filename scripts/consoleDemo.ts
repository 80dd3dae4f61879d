/**
 * For work on the console: `npx tsx scripts/consoleDemo.ts` starts the demo as the console tests do
 * (free ports, one account per role: test/helpers/console.ts) and prints its address and accounts.
 */
import { consoleUsers, startConsoleSite } from '../test/helpers/console.ts';

const site = await startConsoleSite();
console.log(`console: ${site.url}`);
for (const [role, { user, password }] of Object.entries(consoleUsers))
  console.log(`  ${role}: ${user} / ${password}`);
console.log(`  admin token header: ${site.headers('admin').authorization}`);
const stop = async () => {
  await site.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
