// Theme choice (system / light / dark), remembered per browser profile; "system" follows the OS
// and changes live when the OS switches.
import { create } from 'zustand';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'switchboard.theme';

function stored(): ThemeChoice {
  try {
    const v = window.localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(choice: ThemeChoice): void {
  const dark = choice === 'dark' || (choice === 'system' && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

interface ThemeStore {
  theme: ThemeChoice;
  setTheme(theme: ThemeChoice): void;
}

export const useTheme = create<ThemeStore>()((set) => ({
  theme: typeof window === 'undefined' ? 'system' : stored(),
  setTheme(theme) {
    try {
      window.localStorage.setItem(KEY, theme);
    } catch {
      // Private mode or storage disabled: the choice lasts for this page only.
    }
    applyTheme(theme);
    set({ theme });
  },
}));

export function watchSystemTheme(): () => void {
  const media = window.matchMedia?.('(prefers-color-scheme: dark)');
  if (!media) return () => {};
  const onChange = () => applyTheme(useTheme.getState().theme);
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}
