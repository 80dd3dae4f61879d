/**
 * A new alarm while the console is open (issue 17), on any screen: an optional desktop notification
 * (the Notification API) and an optional sound, each a switch on the 报警 page, remembered by this
 * browser (localStorage `jn.alarms.desktop`, `jn.alarms.sound`), off until the user turns it on.
 * The browser's permission to notify is asked for only then, when the user turns it on (a request
 * on page load is what browsers and people block). The sound is a short two-tone chime made with
 * the Web Audio API (no file to fetch); browsers let a page play sound only after it was clicked
 * since it loaded, so after a reload the chime waits for the first click anywhere on the page.
 *
 * One tab of the browser alerts an alarm: the last alerted transition's seq is kept in
 * localStorage (`jn.alarms.alerted`, with when, trusted for 10 minutes), so a second tab, or the
 * stream replaying what it missed after a reconnect, does not alert it again.
 */
import { reactive } from 'vue';
import { api, ok } from '../api/client';
import { i18n, locale } from '../i18n';
import { onLive } from '../live';
import { type AlarmEventData, alertText, newAlarmOf } from '../screens/alarms/model';

const keys = { desktop: 'jn.alarms.desktop', sound: 'jn.alarms.sound', alerted: 'jn.alarms.alerted' };
const store = () => globalThis.localStorage as Storage | undefined;
const kept = (key: string) => store()?.getItem(key) === 'on';

/** What the browser allows: granted, default (not asked yet), denied, or unsupported (no API, or not HTTPS). */
export type DesktopPermission = 'granted' | 'default' | 'denied' | 'unsupported';

export function desktopPermission(): DesktopPermission {
  if (typeof Notification === 'undefined' || !globalThis.isSecureContext) return 'unsupported';
  return Notification.permission;
}

/** The two switches, as this browser keeps them (the desktop one off when the permission is gone). */
export const alertSettings = reactive({
  desktop: kept(keys.desktop) && desktopPermission() === 'granted',
  sound: kept(keys.sound),
  permission: desktopPermission(),
});

/**
 * Turns desktop notifications on (asking the browser's permission now, if it was never given) or
 * off. Resolves to the permission: anything but `granted` leaves them off.
 */
export async function setDesktopAlerts(on: boolean): Promise<DesktopPermission> {
  if (!on) {
    alertSettings.desktop = false;
    store()?.setItem(keys.desktop, 'off');
    return desktopPermission();
  }
  let permission = desktopPermission();
  if (permission === 'default') {
    try {
      permission = await Notification.requestPermission();
    } catch {
      permission = desktopPermission();
    }
  }
  alertSettings.permission = permission;
  alertSettings.desktop = permission === 'granted';
  store()?.setItem(keys.desktop, alertSettings.desktop ? 'on' : 'off');
  return permission;
}

let audio: AudioContext | undefined;
function audioContext(): AudioContext | undefined {
  if (!audio && typeof AudioContext !== 'undefined') audio = new AudioContext();
  return audio;
}

/** The chime: 880 Hz then 660 Hz, 0.18 s each, soft. Returns false when the browser holds sound back. */
export function playChime(): boolean {
  const ctx = audioContext();
  if (!ctx) return false;
  if (ctx.state === 'suspended') void ctx.resume();
  const t0 = ctx.currentTime + 0.02;
  [880, 660].forEach((frequency, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = frequency;
    const start = t0 + i * 0.2;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start);
    osc.stop(start + 0.2);
  });
  return ctx.state !== 'suspended';
}

/** Turns the sound on (playing the chime once, so the user hears what it will be) or off. */
export function setSoundAlerts(on: boolean): void {
  alertSettings.sound = on;
  store()?.setItem(keys.sound, on ? 'on' : 'off');
  if (on) playChime();
}

const t = (key: string, named?: Record<string, unknown>) => i18n.global.t(key, named ?? {});
const te = (key: string) => i18n.global.te(key);

/** The desktop notification of a new alarm; a click on it shows the 报警 page. */
async function notify(alarm: AlarmEventData['alarm'], open: () => void): Promise<void> {
  const names = alarm.building ? await buildingsOnce() : new Map<string, string>();
  const { title, body } = alertText(
    alarm,
    {
      title: (n) => t('alarms.alert.title', n),
      severity: (s) => (te(`alarms.severity.${s}`) ? t(`alarms.severity.${s}`) : s),
      rule: (r) => (te(`alarms.rule.${r}`) ? t(`alarms.rule.${r}`) : r),
      building: (id) => names.get(id) ?? id,
    },
    locale.value,
  );
  const n = new Notification(title, { body, tag: `jn-alarm-${alarm.id}`, lang: locale.value });
  n.onclick = () => {
    globalThis.focus();
    open();
    n.close();
  };
}

/** The seq last alerted in this browser, if kept within the last 10 minutes (a wiped alarms.db starts again at 1). */
function lastAlerted(): number {
  const [seq, at] = (store()?.getItem(keys.alerted) ?? '').split('@').map(Number);
  return seq && at && Date.now() - at < 600_000 ? seq : 0;
}

/** The site's building names, read once when the first alert needs them (the id when unreadable). */
let buildingNames: Promise<Map<string, string>> | undefined;
function buildingsOnce(): Promise<Map<string, string>> {
  buildingNames ??= ok(api.GET('/api/v1/site/tree'))
    .then((tree) => new Map(tree.organization.buildings.map((b) => [b.id, b.name] as const)))
    .catch(() => {
      buildingNames = undefined;
      return new Map<string, string>();
    });
  return buildingNames;
}

/**
 * Alerts each new alarm of the live stream as the switches say; `open` shows the 报警 page (a click
 * on the notification). Returns the stop.
 */
export function followAlarmAlerts(open: () => void): () => void {
  let seen = 0;
  // Sound after a reload: the browser lets the page play it once the page was clicked.
  const unlock = () => {
    if (alertSettings.sound) void audioContext()?.resume();
  };
  document.addEventListener('pointerdown', unlock, { once: true });
  const stop = onLive('alarm', (data) => {
    if (!alertSettings.desktop && !alertSettings.sound) return;
    const event = newAlarmOf(data, Math.max(seen, lastAlerted()));
    if (!event) return;
    seen = event.transition.seq;
    store()?.setItem(keys.alerted, `${seen}@${Date.now()}`);
    if (alertSettings.sound) playChime();
    if (alertSettings.desktop && desktopPermission() === 'granted') void notify(event.alarm, open);
  });
  return () => {
    stop();
    document.removeEventListener('pointerdown', unlock);
  };
}
