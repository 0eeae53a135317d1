/** Where a bad input was: a query parameter, a path parameter or the JSON body. */
export type ProblemLocation = 'query' | 'path' | 'body';

/** One thing wrong with a request, naming the parameter (or body field) it is about. */
export interface Problem {
  in: ProblemLocation;
  parameter: string;
  message: string;
}

/**
 * A request that cannot be answered as asked (HTTP 400): every problem found, each naming its
 * parameter. Plain (no HTTP in it) so that request parsing stays a pure function; the filter
 * installed by `setupRestApi` turns it into the JSON body below.
 */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

/** Throws an InvalidRequestError about one parameter. */
export function invalid(where: ProblemLocation, parameter: string, message: string): never {
  throw new InvalidRequestError([{ in: where, parameter, message }]);
}

/** The JSON body of every 400 of the platform's REST APIs. */
export interface ProblemBody {
  statusCode: 400;
  error: 'Bad Request';
  /** the problems as one sentence, each naming its parameter */
  message: string;
  problems: Problem[];
}

export function problemBody(err: InvalidRequestError): ProblemBody {
  return {
    statusCode: 400,
    error: 'Bad Request',
    message: err.message,
    problems: [...err.problems],
  };
}
