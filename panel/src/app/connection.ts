/**
 * The bridge connection: the status line, connect (find, start or reach the bridge), what happens when it goes away,
 * and the engine and device menus it offers (with the neural engine's "Install models…").
 */

import type { BridgeClient } from '../../../bridge/src/api/client.js';
import { messageOf } from '../../../bridge/src/errors.js';
import { extensionFolder } from '../cep.js';
import { connectBridge } from '../connect.js';
import { $ } from '../dom.js';
import { ModelsBox } from '../models.js';
import { fillEngineChoices } from '../options.js';
import type { PanelContext } from './context.js';

export class Connection {
  /** The neural engine's "Install models…"; an install that finishes reloads the engine menu. */
  readonly models: ModelsBox;

  constructor(private readonly ctx: PanelContext) {
    this.models = new ModelsBox(
      () => ctx.s.conn?.client,
      async () => {
        if (ctx.s.conn) await this.loadEngines(ctx.s.conn.client);
        ctx.render();
      },
    );
  }

  bind(): void {
    this.models.bind();
    $('reconnect').addEventListener('click', () => void this.connect());
  }

  private status(state: 'connecting' | 'ready' | 'error', text: string): void {
    $('status').dataset.state = state;
    $('status-text').textContent = text;
  }

  async connect(): Promise<void> {
    const { s, settings, sections } = this.ctx;
    s.conn = undefined;
    $('connect-error-text').textContent = '';
    $('connect-error').hidden = true;
    this.status('connecting', 'starting bridge…');
    this.ctx.render();
    try {
      const conn = await connectBridge({
        deps: this.ctx.deps,
        bridgeUrl: settings.bridgeUrl,
        bridgeToken: settings.bridgeToken,
        nodePath: settings.nodePath,
        extensionFolder: extensionFolder(),
        onStatus: (text) => this.status('connecting', text),
      });
      s.conn = conn;
      this.status('ready', `bridge ready · ${conn.device}`);
      await this.loadEngines(conn.client);
      await sections.recent.refresh();
      sections.recent.resumeFollowing();
      if (s.portrait) void sections.slots.scanFaces();
    } catch (err) {
      const refused = (err as { code?: string }).code === 'TOKEN_REFUSED';
      this.status('error', refused ? 'bridge refused the token' : 'bridge not running');
      $('connect-error-text').textContent = messageOf(err);
      $('connect-error').hidden = false;
    }
    this.ctx.render();
  }

  /** The bridge went away (quit, crashed, machine asleep): say so and offer Reconnect. */
  lost(message: string): void {
    this.ctx.s.conn = undefined;
    this.status('error', 'bridge not running');
    $('connect-error-text').textContent = `${message} Click Reconnect to start it again; finished frames are kept.`;
    $('connect-error').hidden = false;
    this.ctx.render();
  }

  private async loadEngines(client: BridgeClient): Promise<void> {
    const [engines, devices] = await Promise.all([client.engines(), client.devices(), this.models.refresh()]);
    this.ctx.s.engines = fillEngineChoices(engines.engines, devices.devices, this.ctx.settings);
  }
}
