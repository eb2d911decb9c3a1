// Short-lived notices ("Agent created", "Could not save: …"). Errors stay until dismissed.
import { create } from 'zustand';

export interface Toast {
  id: number;
  tone: 'ok' | 'danger' | 'info';
  text: string;
}

interface ToastStore {
  toasts: Toast[];
  show(tone: Toast['tone'], text: string): void;
  dismiss(id: number): void;
}

let next = 1;

export const useToasts = create<ToastStore>()((set, get) => ({
  toasts: [],
  show(tone, text) {
    const id = next++;
    set((s) => ({ toasts: [...s.toasts.slice(-3), { id, tone, text }] }));
    if (tone !== 'danger') setTimeout(() => get().dismiss(id), 4000);
  },
  dismiss(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
}));

export const toast = (tone: Toast['tone'], text: string): void => useToasts.getState().show(tone, text);
