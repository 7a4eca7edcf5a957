// placeholder: star_lib needs one source until the coordinator lands
namespace nas::star {}
