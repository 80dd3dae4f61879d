export const messages = {
  'zh-CN': {
    title: '报警',
    tab: { open: '待处理（{n}）', progress: '处理中', done: '已处理' },
    table: '待处理报警',
    at: '时间',
    device: '设备',
    point: '点位',
    kind: '类型',
    message: '说明',
    kinds: { not_following: '点位未跟随指令', write_failed: '写入持续失败' },
    none: '当前没有报警',
    now: '接口目前给出的是当前报警：点位未跟随所下发的指令、写入持续失败（GET /api/v1/alarms），新报警经实时数据流到达。',
    notYet:
      '尚未提供：报警的确认与处理状态（处理中、已处理）、处理人和处理记录、历史报警、阈值与越限报警、通知。这些由报警功能（议题 17）补上；在此之前，“处理中”和“已处理”没有内容。',
    notYetTab: '接口尚未提供报警的处理状态：这里暂无内容（见报警功能，议题 17）。',
  },
  en: {
    title: 'Alarms',
    tab: { open: 'Open ({n})', progress: 'In progress', done: 'Resolved' },
    table: 'Open alarms',
    at: 'Time',
    device: 'Device',
    point: 'Point',
    kind: 'Kind',
    message: 'Message',
    kinds: { not_following: 'point not following its command', write_failed: 'writes keep failing' },
    none: 'No alarms now',
    now: 'The API gives the current alarms: points not following the command sent, writes that keep failing (GET /api/v1/alarms); new ones arrive over the live stream.',
    notYet:
      'Not there yet: acknowledging and resolving alarms (in progress, resolved), who handled them and how, alarm history, threshold alarms, notifications. The alarms work (issue 17) adds them; until then "In progress" and "Resolved" stay empty.',
    notYetTab:
      'The API does not yet say how an alarm is handled: nothing here yet (see the alarms work, issue 17).',
  },
};
