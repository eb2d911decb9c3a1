// What to do when the gateway has no OS keychain: how to start one on this platform, or how to run
// without one (`ANTHROPIC_API_KEY`). Shared by Settings and the "Add API key" dialog, so a user who
// meets the missing keychain in either place reads the same way out.
import type { ReactNode } from 'react';

export type KeychainPlatform = 'mac' | 'windows' | 'linux';

/** The browser runs on the gateway's machine (loopback only), so its platform is the gateway's. */
export function keychainPlatform(nav: Pick<Navigator, 'platform' | 'userAgent'> = navigator): KeychainPlatform {
  const p = `${nav.platform} ${nav.userAgent}`;
  if (/Mac/i.test(p)) return 'mac';
  if (/Win/i.test(p)) return 'windows';
  return 'linux';
}

export function platformHint(platform: KeychainPlatform = keychainPlatform()): string {
  if (platform === 'mac') return 'On macOS: open Keychain Access and unlock the “login” keychain.';
  if (platform === 'windows') return 'On Windows: make sure Credential Manager works for your user account.';
  return 'On Linux: run and unlock a Secret Service provider (GNOME Keyring or KWallet) in your session; on a machine without a desktop, start the gateway inside a D-Bus session with gnome-keyring-daemon unlocked.';
}

/** The "no keychain" help for the Add API key dialog: start one, or use the environment instead. */
export function NoKeychainHelp({ platform = keychainPlatform() }: { platform?: KeychainPlatform }): ReactNode {
  return (
    <div className="small keychain-help stack" data-testid="no-keychain-help">
      <p>
        <strong>To store keys here, start a keychain:</strong> {platformHint(platform)}
      </p>
      {platform === 'linux' && (
        <p>
          Without a desktop, for example:{' '}
          <code>dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets &lt; passfile; switchboard gateway'</code>,
          then reload this page.
        </p>
      )}
      <p>
        <strong>Or skip the keychain:</strong> start the gateway with the key in its environment,{' '}
        <code>ANTHROPIC_API_KEY=sk-ant-… switchboard gateway</code>. Agents that have no key of their own use it.
      </p>
    </div>
  );
}
