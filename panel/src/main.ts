/** Entry point of the panel bundle (panel/dist/main.js): follow AE's theme, then start the controller. */
import { PanelApp } from './app.js';
import { followTheme } from './cep.js';

followTheme();
const app = new PanelApp();
(window as unknown as { reenactPanel: PanelApp }).reenactPanel = app;
app.start();
