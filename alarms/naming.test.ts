import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSite } from '../core/config/loadSite.ts';
import { type NamingSource, SiteNames } from './naming.ts';

const demo = loadSite(fileURLToPath(new URL('../examples/demo-site.yaml', import.meta.url)));

/** A building, its meters and control groups as a site file gives them (only what naming reads). */
const site = {
  organization: {
    buildings: [
      { id: 'zonghe-lou', name: '综合办公楼' },
      { id: 'fuwu-lou', name: '服务楼' },
    ],
  },
  gateways: [
    {
      id: 'gw-1',
      connections: [
        {
          id: 'bus',
          protocol: 'modbus_tcp',
          timeout: 3000,
          devices: [
            { id: 'zonghe-main' },
            { id: 'em-2' },
            { id: 'ahu-1', name: '新风机组 1' },
            { id: 'x-9' },
          ],
        },
      ],
    },
    { id: 'gw-2', connections: [{ id: 'ua', protocol: 'opcua', devices: [{ id: 'fcu-1' }] }] },
  ],
  meters: [
    { id: 'zonghe-main', device: 'zonghe-main', building: 'zonghe-lou', role: 'main' },
    { id: 'zonghe-l', device: 'em-2', building: 'zonghe-lou', role: 'sub', name: '照明插座' },
    { id: 'zonghe-p', device: 'em-2', building: 'zonghe-lou', role: 'sub' },
  ],
  control: {
    groups: [
      { id: 'ahu', name: '新风', building: 'zonghe-lou', devices: ['ahu-1'] },
      { id: 'fcu', name: '一层 风机盘管', building: 'fuwu-lou', devices: ['fcu-1'] },
    ],
  },
} as unknown as NamingSource;

describe('SiteNames: devices, meters and gateways by what they are and where', () => {
  const names = new SiteNames(site);

  it('names a device by its meters, an unnamed main meter being its building’s 总表', () => {
    expect(names.deviceText('zonghe-main')).toBe('zonghe-main（综合办公楼 总表）');
    expect(names.device('zonghe-main')).toEqual({ building: 'zonghe-lou', label: '综合办公楼 总表' });
    // Two meters on one device: both, the unnamed sub-meter by its id.
    expect(names.deviceText('em-2')).toBe('em-2（综合办公楼 照明插座、综合办公楼 分表 zonghe-p）');
  });

  it('prefers the device’s own name; takes the building from its meters, else its control group', () => {
    expect(names.deviceText('ahu-1')).toBe('ahu-1（综合办公楼 新风机组 1）');
    expect(names.deviceText('fcu-1')).toBe('fcu-1（服务楼 一层 风机盘管）');
    expect(names.buildingOf({ device: 'fcu-1', gateway: 'gw-2' })).toBe('fuwu-lou');
  });

  it('leaves a device the site file says nothing of as its id', () => {
    expect(names.deviceText('x-9')).toBe('x-9');
    expect(names.pointText('x-9', 'p')).toBe('x-9/p');
    expect(names.buildingOf({ device: 'x-9', gateway: 'gw-1' })).toBeUndefined();
    expect(names.pointText('zonghe-main', 'active_power')).toBe(
      'zonghe-main（综合办公楼 总表）的 active_power',
    );
  });

  it('names meters and buildings; a gateway by the buildings its devices serve', () => {
    expect(names.meterText('zonghe-l')).toBe('zonghe-l（综合办公楼 照明插座）');
    expect(names.buildingText('fuwu-lou')).toBe('fuwu-lou（服务楼）');
    expect(names.gatewayText('gw-1')).toBe('gw-1（综合办公楼）');
    expect(names.buildingOf({ gateway: 'gw-1' })).toBe('zonghe-lou');
    expect(names.gatewayText('gw-unknown')).toBe('gw-unknown');
  });

  it('knows a Modbus device’s reply timeout (its connection’s), not an OPC UA one’s', () => {
    expect(names.timeoutMs('zonghe-main')).toBe(3000);
    expect(names.timeoutMs('fcu-1')).toBeUndefined();
  });

  it('names the demo site’s devices as its file does', () => {
    const d = new SiteNames(demo.config);
    expect(d.deviceText('zonghe-main')).toBe('zonghe-main（综合办公楼总表）');
    expect(d.deviceText('zonghe-lou-f1-3-ac')).toBe('zonghe-lou-f1-3-ac（综合办公楼 一至三层 办公区 空调）');
    expect(d.device('zonghe-lou-f1-3-ac')?.building).toBe('zonghe-lou');
    expect(d.deviceText('zonghe-dimmer')).toBe('zonghe-dimmer（综合办公楼 调光回路）');
    // A group of every building's lighting: no one building.
    expect(d.device('zonghe-lights')).toEqual({ building: undefined, label: '各楼照明回路' });
    expect(d.gatewayText('gw-compound')).toBe('gw-compound（综合办公楼、服务楼（食堂）、档案与会议楼）');
    expect(d.gateway('gw-compound')?.building).toBeUndefined();
    // Every device of the demo is named.
    for (const id of demo.devices.keys()) expect(d.deviceText(id)).not.toBe(id);
  });
});
