// Reads one XLSX ledger file in a worker thread (reports/ledger/read.ts, readXlsx): the thread has a
// heap limit and a deadline, so a workbook that makes exceljs build millions of cells costs this
// thread only. Plain JavaScript, so that it starts the same under `jieneng` and under vitest: it
// registers tsx's loader itself, then reads through the TypeScript module.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { xlsxTable } = await import('./read.ts');
parentPort.postMessage(await xlsxTable(workerData.file, workerData.name));
