import { App as AntApp, ConfigProvider, Spin, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCNLocale from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { newerState } from '../lib/newer-state';
import type { AppState, DesktopApi } from '../../shared/api/desktop-api';
import { DEFAULT_LOCALE, initI18n } from '../i18n';
import { FirstSyncScreen } from '../screens/FirstSyncScreen';
import { LockedScreen } from '../screens/LockedScreen';
import { RevokedScreen, WipedScreen } from '../screens/ErasedScreens';
import { SignInScreen } from '../screens/SignInScreen';
import { UpdateRequiredScreen } from '../screens/UpdateRequiredScreen';
import { AppShell } from './AppShell';

/** System UI fonts, the CJK fonts of each platform, then the colour emoji fonts (styles.css has the same). */
const FONT_STACK =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"';
import { ApiContext, AppStateContext } from './context';

initI18n(DEFAULT_LOCALE);

/** Chooses the screen from the app phase; everything else lives in the shell. */
function PhaseRouter({ state }: { state: AppState }) {
  switch (state.phase) {
    case 'signed-out':
      return <SignInScreen />;
    case 'first-sync':
      return <FirstSyncScreen />;
    case 'locked':
      // The server refuses this app's version: what to install, and the updater.
      return state.reason === 'app_update_required' ? <UpdateRequiredScreen /> : <LockedScreen />;
    case 'revoked':
      return <RevokedScreen />;
    case 'wiped':
      return <WipedScreen />;
    case 'ready':
      return <AppShell />;
  }
}

export function Root({ api }: { api: DesktopApi }) {
  const [state, setLatest] = useState<AppState | null>(null);
  // Streamed states and calls' answers alike: the newer one wins (newer-state.ts).
  const setState = useCallback((next: AppState) => setLatest((current) => newerState(current, next)), []);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    // Subscribe first so a change between getState and the subscription is not missed.
    const unsubscribe = api.onStateChange((s) => live && setState(s));
    void api.getState().then((r) => {
      if (!live) return;
      if (r.ok) setState(r.value);
      else setLoadError(`${r.error.code}: ${r.error.message}`);
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api, setState]);

  const locale = state?.locale ?? DEFAULT_LOCALE;
  useEffect(() => {
    initI18n(locale);
    dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
    document.documentElement.lang = locale;
  }, [locale]);

  const stateContext = useMemo(() => (state ? { state, setState } : null), [state, setState]);

  return (
    <ConfigProvider
      // Chinese two-character buttons keep their accessible name (antd would insert a space).
      button={{ autoInsertSpace: false }}
      locale={locale === 'zh-CN' ? zhCNLocale : enUS}
      theme={{
        algorithm: theme.defaultAlgorithm,
        // Dense business UI: smaller controls than antd's default, 13px text.
        // The font stack ends with the colour emoji fonts of each platform, so emoji in notes show
        // as pictures (the same stack as styles.css).
        token: { colorPrimary: '#1f5fbf', borderRadius: 4, fontSize: 13, controlHeight: 30, fontFamily: FONT_STACK },
        components: { Layout: { headerBg: '#ffffff', siderBg: '#0f2744', headerHeight: 48, headerPadding: '0 16px' } },
      }}
    >
      <AntApp>
        <ApiContext.Provider value={api}>
          {stateContext ? (
            <AppStateContext.Provider value={stateContext}>
              <PhaseRouter state={stateContext.state} />
            </AppStateContext.Provider>
          ) : (
            <div className="sv-center" role="status">
              {loadError ? <pre>{loadError}</pre> : <Spin size="large" />}
            </div>
          )}
        </ApiContext.Provider>
      </AntApp>
    </ConfigProvider>
  );
}
