import type { Dispatcher } from '../../control/engine.ts';

/**
 * An in-memory stand-in for the devices behind control's dispatcher: every write is applied and
 * read back as written, and `device` keeps each point's last value (`<device>/<point>`). The
 * gateway path itself is tested with real devices (controlSafety, commandEdge).
 */
export function appliedWrites(): { device: Map<string, number>; dispatcher: Dispatcher } {
  const device = new Map<string, number>();
  return {
    device,
    dispatcher: {
      write: async (c) => {
        device.set(`${c.device}/${c.point}`, c.value);
        return { status: 'written', readBack: c.value };
      },
    },
  };
}
