// interactive_exec: someone ran `docker exec` into a container. Docker runs healthchecks through
// exec as well; those are the daemon's, not a person's, and stay silent.
import type { ShipwatchEvent } from '../../collector/events.ts';
import type { Detector, StepResult } from '../context.ts';
import { quoted, who } from '../describe.ts';

export const execDetector: Detector<null> = {
  name: 'exec',
  initialState: () => null,
  step(state: null, event: ShipwatchEvent): StepResult<null> {
    switch (event.kind) {
      case 'exec.started': {
        if (event.healthcheck) return { state, findings: [] };
        const user = event.user === '' ? 'the image user' : event.user;
        const tty = event.tty ? ' with a terminal' : '';
        return {
          state,
          findings: [
            {
              rule: 'interactive_exec',
              container: event.container,
              key: event.argv.join(' '),
              summary: `someone ran ${quoted(event.argv)} as ${user}${tty} in ${who(event.container)} through docker exec`,
              details: {
                process: {
                  pid: 0,
                  ppid: 0,
                  exe: event.argv[0] ?? '',
                  cmdline: event.argv.join(' '),
                  uid: -1,
                  execId: event.execId,
                },
              },
              at: event.at,
            },
          ],
        };
      }
      case 'flow.start':
      case 'flow.update':
      case 'flow.end':
      case 'dns.answer':
      case 'container.created':
      case 'container.started':
      case 'container.stopped':
      case 'container.removed':
      case 'container.paused':
      case 'container.unpaused':
      case 'network.connected':
      case 'network.disconnected':
      case 'network.created':
      case 'network.removed':
      case 'process.exec':
      case 'process.exit':
      case 'file.changed':
      case 'stats.sample':
      case 'daemon.posture':
        return { state, findings: [] };
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  },
};
