/**
 * "Install models…" in the Engine group: while the neural engine's models are missing, the panel shows their
 * licence and a button with the download size; the bridge downloads them (checked, resumable) while a progress bar
 * and Cancel show here; once done the engine menu offers the neural engine.
 */
import type { BridgeClient } from '../../bridge/src/api/client.js';
import type { ModelsResponse } from '../../bridge/src/api/schema.js';
import { messageOf } from '../../bridge/src/errors.js';
import { $, notice } from './dom.js';

const POLL_MS = 400;

export class ModelsBox {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last: ModelsResponse | undefined;

  /**
   * @param client the connected bridge, if any
   * @param installed called once an install finished (reload the engine menu)
   */
  constructor(
    private readonly client: () => BridgeClient | undefined,
    private readonly installed: () => Promise<void>,
  ) {}

  bind(): void {
    $('models-install').addEventListener('click', () => void this.act((c) => c.installModels()));
    $('models-cancel').addEventListener('click', () => void this.act((c) => c.cancelModelInstall()));
  }

  async refresh(): Promise<void> {
    await this.act((c) => c.models());
  }

  private async act(call: (c: BridgeClient) => Promise<ModelsResponse>): Promise<void> {
    const client = this.client();
    if (!client) return;
    clearTimeout(this.timer);
    let m: ModelsResponse;
    try {
      m = await call(client);
    } catch (err) {
      notice($('models-message'), messageOf(err), 'error');
      return;
    }
    const finished = this.last?.install.state === 'running' && m.install.state === 'done';
    this.last = m;
    this.show(m);
    if (m.install.state === 'running') this.timer = setTimeout(() => void this.refresh(), POLL_MS);
    if (finished) await this.installed();
  }

  private show(m: ModelsResponse): void {
    const { install } = m;
    const running = install.state === 'running';
    $('models').hidden = m.installed && !running;
    $('models-licence').textContent =
      `The neural engine needs its models. ${m.licence.text} Licence: ${m.licence.name}.`;
    const button = $<HTMLButtonElement>('models-install');
    button.hidden = running;
    button.textContent = `Install models${m.downloadSize ? ` (${m.downloadSize})` : ''}…`;
    $('models-progress').hidden = !running;
    if (running) {
      const fraction = install.total ? (install.done ?? 0) / install.total : 0;
      $('models-progress-title').textContent = install.file
        ? `Downloading ${install.file} (${install.index} of ${install.count})`
        : 'Starting the download…';
      $<HTMLProgressElement>('models-bar').value = fraction;
      $('models-progress-text').textContent = install.total
        ? `${Math.floor(fraction * 100)} % of ${(install.total / 2 ** 20).toFixed(1)} MiB`
        : `${((install.done ?? 0) / 2 ** 20).toFixed(1)} MiB`;
    }
    const message =
      install.state === 'failed'
        ? install.error?.message
        : install.state === 'cancelled'
          ? 'Download cancelled. Install again to resume where it stopped.'
          : '';
    notice($('models-message'), message ?? '', install.state === 'failed' ? 'error' : 'info');
  }
}
