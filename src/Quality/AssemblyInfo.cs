namespace Cloudwall.Rx.Quality;
