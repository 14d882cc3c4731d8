/** The part of blessed-contrib 4.11 (untyped) the dashboards use. */
declare module 'blessed-contrib' {
  import type { Widgets } from 'blessed';

  type Options = Widgets.BoxOptions & Record<string, unknown>;

  export interface LineSeries {
    title: string;
    x: string[];
    y: number[];
    style?: { line?: string };
  }
  export interface LineChart extends Widgets.BoxElement {
    setData(series: LineSeries[]): void;
  }
  export interface Sparkline extends Widgets.BoxElement {
    setData(titles: string[], data: number[][]): void;
  }
  export interface Gauge extends Widgets.BoxElement {
    setPercent(percent: number): void;
  }
  export interface Log extends Widgets.BoxElement {
    log(line: string): void;
  }

  export function line(options: Options): LineChart;
  export function sparkline(options: Options): Sparkline;
  export function gauge(options: Options): Gauge;
  export function log(options: Options): Log;
}
