// Fails the run if anything in a spec leaves a promise rejection unhandled: the library promises
// never to cause one, and a spec that ignores one hides exactly that bug.
const unhandled: unknown[] = [];
const record = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(() => {
  process.on('unhandledRejection', record);
});

afterAll(() => {
  process.off('unhandledRejection', record);
  if (unhandled.length > 0) {
    throw new Error(`unhandled promise rejection(s) during this file: ${unhandled.map(String).join('; ')}`);
  }
});
