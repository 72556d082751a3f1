import { describeError } from '../../api/errors';
import { ErrorAlert } from './Alert';
import { Spinner } from './Spinner';
import { secondaryButtonClass } from './styles';

/** What an infinite query's list needs to offer its next page. */
interface PagedQuery {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  error: unknown;
  fetchNextPage: () => unknown;
}

/** Under a paged list: why the next page failed, if it did, and the button that asks for it. */
export function LoadMore({ query, what }: { query: PagedQuery; what: string }) {
  return (
    <>
      {query.isFetchNextPageError && <ErrorAlert title={`More ${what} could not be loaded`}>{describeError(query.error)}</ErrorAlert>}
      {query.hasNextPage && (
        <div className="flex justify-center pt-1">
          <button
            type="button"
            onClick={() => query.fetchNextPage()}
            disabled={query.isFetchingNextPage}
            className={secondaryButtonClass}
          >
            {query.isFetchingNextPage && <Spinner />}
            {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </>
  );
}
