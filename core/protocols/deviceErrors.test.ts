import { describe, expect, it } from 'vitest';
import { deviceErrorZh, modbusExceptions } from './deviceErrors.ts';

/** modbus-serial's own wording of an exception (node_modules/modbus-serial/index.js, modbusErrorMessages). */
const serial = (code: number, text: string) => `exception ${code} (Modbus exception ${code}: ${text})`;

describe('deviceErrorZh: device errors in Chinese, the original after them', () => {
  it('says a Modbus timeout with the connection’s timeout, and what was read', () => {
    expect(deviceErrorZh('read holding_register 0+80 at unit 1: Timed out', { timeoutMs: 3000 })).toBe(
      '读保持寄存器 0+80（从站 1）：设备 3000 ms 内无应答（Timed out）',
    );
    expect(deviceErrorZh('Timed out')).toBe('设备无应答（Timed out）');
    expect(
      deviceErrorZh(
        'skipped: no answer to the previous request (read input_register 0+2 at unit 7: Timed out)',
        {
          timeoutMs: 500,
        },
      ),
    ).toBe('跳过（上一请求无应答）：读输入寄存器 0+2（从站 7）：设备 500 ms 内无应答（Timed out）');
  });

  it('names every Modbus exception code of the specification, with its code in two hex digits', () => {
    const cases: [number, string, string][] = [
      [
        1,
        'Illegal function (device does not support this read/write function)',
        '非法功能码（Modbus 异常码 01, Illegal function）',
      ],
      [
        2,
        'Illegal data address (register not supported by device)',
        '非法数据地址（Modbus 异常码 02, Illegal data address）',
      ],
      [
        3,
        'Illegal data value (value cannot be written to this register)',
        '非法数据值（Modbus 异常码 03, Illegal data value）',
      ],
      [
        4,
        'Slave device failure (device reports internal error)',
        '从站设备故障（Modbus 异常码 04, Slave device failure）',
      ],
      [
        6,
        'Slave device busy (retry request again later)',
        '从站设备忙（Modbus 异常码 06, Slave device busy）',
      ],
      [
        10,
        'Gateway path unavailable (misconfigured gateway)',
        '网关路径不可用（Modbus 异常码 0A, Gateway path unavailable）',
      ],
      [
        11,
        'Gateway target device failed to respond (retry request again later)',
        '网关目标设备无应答（Modbus 异常码 0B, Gateway target device failed to respond）',
      ],
    ];
    for (const [code, text, zh] of cases) expect(deviceErrorZh(serial(code, text))).toBe(zh);
    expect(
      deviceErrorZh(`read holding_register 100+4 at unit 3: ${serial(2, 'Illegal data address (x)')}`),
    ).toBe('读保持寄存器 100+4（从站 3）：非法数据地址（Modbus 异常码 02, Illegal data address）');
    expect(deviceErrorZh(`write coil 5 at unit 2: ${serial(4, 'Slave device failure (x)')}`)).toBe(
      '写线圈 5（从站 2）：从站设备故障（Modbus 异常码 04, Slave device failure）',
    );
    // A code the table does not have keeps the device's text.
    expect(deviceErrorZh('Modbus exception 12: Unknown error')).toBe(
      'Modbus 异常（异常码 0C, Unknown error）',
    );
    expect(Object.keys(modbusExceptions).map(Number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 11]);
  });

  it('says refused and reset connections, keeping the socket’s text', () => {
    expect(deviceErrorZh('cannot connect to 127.0.0.1:15020: connect ECONNREFUSED 127.0.0.1:15020')).toBe(
      '无法连接 127.0.0.1:15020：连接被拒绝，对方端口无服务（connect ECONNREFUSED 127.0.0.1:15020）',
    );
    expect(deviceErrorZh('read coil 0+8 at unit 1: read ECONNRESET')).toBe(
      '读线圈 0+8（从站 1）：连接被对方重置（read ECONNRESET）',
    );
    expect(deviceErrorZh('read coil 0+8 at unit 1: Port Not Open')).toBe(
      '读线圈 0+8（从站 1）：连接未打开（Port Not Open）',
    );
    expect(deviceErrorZh('read discrete_input 0+1 at unit 9: CRC error')).toBe(
      '读离散输入 0+1（从站 9）：应答 CRC 校验错误（CRC error）',
    );
  });

  it('says the OPC UA Bad statuses that occur, with the status as the server gave it', () => {
    const node = 'node ns=2;s=zonghe-lou.f1-3.supply_temp';
    expect(deviceErrorZh(`${node}: BadDeviceFailure (0x808b0000)`)).toBe(
      '节点 ns=2;s=zonghe-lou.f1-3.supply_temp：设备故障（BadDeviceFailure (0x808b0000)）',
    );
    expect(deviceErrorZh(`${node}: BadNodeIdUnknown (0x80340000)`)).toBe(
      '节点 ns=2;s=zonghe-lou.f1-3.supply_temp：节点不存在（BadNodeIdUnknown (0x80340000)）',
    );
    expect(deviceErrorZh('BadTimeout (0x800a0000)')).toBe('请求超时（BadTimeout (0x800a0000)）');
    expect(deviceErrorZh('BadCommunicationError (0x80050000)')).toBe(
      '通信错误（BadCommunicationError (0x80050000)）',
    );
    expect(deviceErrorZh('BadSessionClosed (0x80260000)')).toBe(
      '会话已关闭（BadSessionClosed (0x80260000)）',
    );
    // One the table does not have: said to be an OPC UA status, kept whole.
    expect(deviceErrorZh('BadSomethingNew (0x80ff0000)')).toBe(
      'OPC UA 错误状态（BadSomethingNew (0x80ff0000)）',
    );
  });

  it('says the OPC UA connection’s own outages', () => {
    const ep = 'opc.tcp://127.0.0.1:48400/jieneng';
    expect(deviceErrorZh(`connection to the OPC UA server ${ep} lost`)).toBe(
      `与 OPC UA 服务器 ${ep} 的连接中断（connection lost）`,
    );
    expect(deviceErrorZh(`session on ${ep} not created: connect ECONNREFUSED 127.0.0.1:48400`)).toBe(
      `未能与 ${ep} 建立会话：连接被拒绝，对方端口无服务（connect ECONNREFUSED 127.0.0.1:48400）`,
    );
    expect(deviceErrorZh(`subscription on ${ep} lost: BadSessionClosed (0x80260000)`)).toBe(
      `${ep} 上的订阅已失效：会话已关闭（BadSessionClosed (0x80260000)）`,
    );
  });

  it('keeps a text it does not know as it is', () => {
    expect(deviceErrorZh('something odd happened')).toBe('something odd happened');
    expect(deviceErrorZh('Bad value')).toBe('Bad value');
  });
});
