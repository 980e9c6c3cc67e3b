/** The history store's file inside a data folder (`--data-dir`). */
export const HISTORY_FILE_NAME = 'history.sqlite';
